#!/usr/bin/env bash
# Test-only set-up for the widget's browser tests (tests/e2e/test_widget_*.py): Debian's Chromium at
# /usr/bin/chromium, driven by Playwright for Python (pinned in requirements.txt). Playwright's own
# browser download (`playwright install`) is never used. Idempotent: does nothing when present.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '\033[1m[setup-test]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[setup-test] %s\033[0m\n' "$*" >&2; exit 1; }

if [ -x /usr/bin/chromium ]; then
  say "chromium present ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
else
  say "installing Debian's chromium (once, about a minute)"
  bash bot/setup/apt_install.sh chromium || die "installing chromium failed; see the output above"
  [ -x /usr/bin/chromium ] || die "chromium was installed but /usr/bin/chromium is not there"
  say "installed $(/usr/bin/chromium --version 2>/dev/null | head -1)"
fi

.venv/bin/python -c "import playwright" 2>/dev/null \
  || die "Playwright for Python is missing from .venv: run 'make setup' (it is pinned in requirements.txt)"
