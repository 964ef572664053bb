#!/usr/bin/env bash
# Install Debian packages, running `apt-get update` only when the install fails without it (so
# that the set-up scripts, run one after the other, refresh the package lists once at most).
#   bash bot/setup/apt_install.sh [apt-get options] PACKAGE...   (needs root, or sudo)
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: bash bot/setup/apt_install.sh PACKAGE..." >&2; exit 2; }
SUDO=""
if [ "$(id -u)" != "0" ]; then
  command -v sudo >/dev/null 2>&1 || { echo "[setup] installing $* needs root: apt-get install -y $*" >&2; exit 1; }
  SUDO="sudo"
fi
command -v apt-get >/dev/null 2>&1 || { echo "[setup] apt-get is not available; install $* yourself" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q "$@" >/dev/null 2>&1; then
  $SUDO apt-get update -q || { echo "[setup] apt-get update failed; is the Debian mirror reachable?" >&2; exit 1; }
  $SUDO apt-get install -y -q "$@"
fi
