#!/usr/bin/env bash
# Debian's redis-server and nginx for `make run-cluster` and tests/e2e/test_cluster.py.
# Idempotent; installing needs root. The nginx package's own service is not used: the cluster
# starts its own nginx with a generated config (bot/cluster.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash bot/setup/redis.sh
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  echo "[setup] nginx present"
  exit 0
fi
bash bot/setup/apt_install.sh --no-install-recommends nginx-light
echo "[setup] installed $(nginx -v 2>&1)"
