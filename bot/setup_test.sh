#!/usr/bin/env bash
# Test-only set-up for the widget's browser tests (tests/e2e/test_widget.py): Debian's Chromium at
# /usr/bin/chromium, driven by Playwright for Python (pinned in requirements.txt). Playwright's own
# browser download (`playwright install`) is never used. Idempotent: does nothing when present.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m[setup-test]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[setup-test] %s\033[0m\n' "$*" >&2; exit 1; }

if [ -x /usr/bin/chromium ]; then
  say "chromium present ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
else
  [ "$(id -u)" = 0 ] || die "Chromium is missing and installing it needs root: run 'sudo apt-get install -y chromium' (Debian/Ubuntu), then run the tests again."
  command -v apt-get >/dev/null 2>&1 || die "Chromium is missing and apt-get is not available: install Chromium so that /usr/bin/chromium exists."
  say "installing Debian's chromium (once, about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed; is the Debian mirror reachable?"
  apt-get install -y -q chromium >/dev/null || die "apt-get install chromium failed; see the output above"
  [ -x /usr/bin/chromium ] || die "chromium was installed but /usr/bin/chromium is not there"
  say "installed $(/usr/bin/chromium --version 2>/dev/null | head -1)"
fi

.venv/bin/python -c "import playwright" 2>/dev/null \
  || die "Playwright for Python is missing from .venv: run 'make setup' (it is pinned in requirements.txt)"
