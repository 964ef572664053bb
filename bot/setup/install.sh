#!/usr/bin/env bash
# Idempotent set-up: Python 3.10 venv, pinned packages, Dutch spaCy pipeline.
# Each step is skipped when it is already done; failures say what to do.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }
mkdir -p .stamps

find_python() {
  for cand in python3.10 "$(command -v pyenv >/dev/null 2>&1 && echo "$(pyenv root)/versions/3.10.13/bin/python3.10")" \
              "$HOME/.pyenv/versions/3.10.13/bin/python3.10" /usr/bin/python3.10; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  PYTHON=$(find_python) || die "Python 3.10 not found: install it with 'pyenv install 3.10.13' (Rasa 3.6 needs Python 3.8-3.10)."
  say "creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv || die "could not create .venv (is the venv module installed for $PYTHON?)"
fi

REQ_HASH=$(sha256sum requirements.txt | cut -c1-16)
if [ "$(cat .stamps/requirements 2>/dev/null)" != "$REQ_HASH" ]; then
  say "installing pinned packages (first time about 3-4 minutes)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip==23.2.1 wheel setuptools \
    || die "pip could not upgrade itself; is PyPI reachable?"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt \
    || die "installing requirements.txt failed; see the pip output above"
  echo "$REQ_HASH" > .stamps/requirements
else
  say "packages up to date"
fi

.venv/bin/python -m bot.setup.build_spacy 2>/dev/null || die "building the Dutch spaCy pipeline failed: run '.venv/bin/python -m bot.setup.build_spacy' to see why"

# --- Web chat widget (bot/web, issue 5) -----------------------------------------------------------
# socket.io-client for the browser, pinned in bot/web/package-lock.json, installed with `npm ci`
# into bot/web/node_modules (git-ignored); bot/web/server.py serves it. axe-core (a dev
# dependency, also pinned) is injected by the browser tests to check accessibility; it is never
# served. Runs again only when node_modules is missing or package-lock.json changed (stamp
# .stamps/web-npm).
WEB_HASH=$(sha256sum bot/web/package-lock.json | cut -c1-16)
if [ ! -f bot/web/node_modules/socket.io-client/dist/socket.io.min.js ] \
   || [ ! -f bot/web/node_modules/axe-core/axe.min.js ] \
   || [ "$(cat .stamps/web-npm 2>/dev/null)" != "$WEB_HASH" ]; then
  command -v npm >/dev/null 2>&1 || die "npm not found: the web widget needs Node.js 18+ with npm (Debian: apt-get install nodejs npm)."
  say "installing the web widget's packages (npm ci in bot/web)"
  (cd bot/web && npm ci --include=dev --no-audit --no-fund --ignore-scripts --loglevel=error) \
    || die "npm ci in bot/web failed; is the npm registry reachable?"
  echo "$WEB_HASH" > .stamps/web-npm
else
  say "web widget packages up to date"
fi
