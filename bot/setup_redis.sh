#!/usr/bin/env bash
# Install Debian's redis-server when it is missing (for REDIS_URL, the Redis tests and `make bench`).
# Non-interactive; needs root (or sudo). Idempotent: does nothing when redis-server is on PATH.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "[setup] redis-server present: $(redis-server --version | head -1)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  command -v sudo >/dev/null 2>&1 || { echo "[setup] redis-server missing; run as root: apt-get install -y redis-server" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends redis-server
# The package may start a system service on port 6379; the tests start their own server on a
# free port, so a running service does no harm.
redis-server --version
