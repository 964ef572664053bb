#!/usr/bin/env bash
# Install Debian's redis-server when it is missing (for REDIS_URL, the Redis tests and `make bench`).
# Non-interactive; needs root (or sudo). Idempotent: does nothing when redis-server is on PATH.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "[setup] redis-server present: $(redis-server --version | head -1)"
  exit 0
fi
bash "$(dirname "$0")/apt_install.sh" --no-install-recommends redis-server
# The package may start a system service on port 6379; the tests start their own server on a
# free port, so a running service does no harm.
redis-server --version
