#!/usr/bin/env bash
# Every test that needs the trained model, in order of speed. `make test` runs `make check`
# (lint and the unit tests) first, then training, then this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
RASA=.venv/bin/rasa
step() { printf '\n\033[1m[test] %s\033[0m\n' "$*"; }

step "rasa data validate"
.venv/bin/python -m tests.validate

step "unit tests that need the trained model (pytest -m needs_model)"
.venv/bin/python -m pytest -q -p no:cacheprovider tests --ignore=tests/e2e \
  --ignore=tests/nlu -m needs_model -W ignore::DeprecationWarning

step "test stories (tests/stories/*.yml) with --fail-on-prediction-errors"
rm -rf results/stories
$RASA test core --model models/bot.tar.gz --stories tests/stories --out results/stories --fail-on-prediction-errors

step "NLU evaluation on the held-out set (>= 90% intent accuracy)"
.venv/bin/python -m pytest -q -s -p no:cacheprovider tests/nlu/test_nlu_heldout.py -W ignore::DeprecationWarning

step "browser for the widget tests (Debian chromium); redis-server and nginx for the cluster tests"
bash bot/setup/browser.sh
bash bot/setup/cluster.sh

step "end to end against the running bot (tests/e2e)"
.venv/bin/python -m pytest -q -p no:cacheprovider tests/e2e -W ignore::DeprecationWarning

step "all tests passed"
