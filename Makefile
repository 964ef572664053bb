# Two commands: `make run` (set up, train when needed, start the bot) and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1
# No progress bars in CI logs.
ifdef CI
export TQDM_DISABLE := 1
endif

.PHONY: help setup train run run-cluster shell check test crisis-eval conversations bench clean

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

setup: ## install everything (idempotent): venv, packages, spaCy pipeline, widget packages
	@bash bot/setup/install.sh

train: setup ## train the model when its data changed (models/bot.tar.gz)
	@$(PY) -m bot.setup.train

run: train ## set up, train when needed, start the bot and the widget's demo site
	@$(PY) -m bot.launcher run

# Redis, one action server, two Rasa servers and nginx in front (bot/cluster.py).
run-cluster: train ## Redis, one action server, two Rasa servers, nginx
	@bash bot/setup/cluster.sh
	@$(PY) -m bot.cluster

shell: train ## talk to the bot in the terminal
	@$(PY) -m bot.launcher shell

# Lint and every test that needs no trained model and no server: about a minute.
check: setup ## lint (ruff) and the unit tests, no training, no servers
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check --quiet . || { echo "run: .venv/bin/ruff format ."; exit 1; }
	@PYTHONPATH=$(CURDIR) .venv/bin/python -m pytest -q -p no:cacheprovider tests \
	  --ignore=tests/e2e --ignore=tests/nlu -m "not needs_model"

test: setup ## check, then train and run every test (stories, NLU, crisis corpus, end to end)
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory train
	@bash tests/run_all.sh

crisis-eval: train ## the crisis corpus against the running bot; report in results/
	@PYTHONPATH=$(CURDIR) $(PY) -m tests.corpus.evaluate

conversations: train ## routing scenarios played by a simulated user; report in results/
	@PYTHONPATH=$(CURDIR) $(PY) -m tests.corpus.simulate

# Speed and memory (not part of `make test`): see bench/results.md. Redis and nginx for the
# `redis` and `cluster` configurations; BENCH_ARGS="-r 1 -d 10" for a quick check.
# Where a turn's time goes: `python -m bench.profile` (bench/profile.md).
bench: train ## speed and memory beside a plain `rasa init` bot (bench/results.md; ~30 min)
	@bash bot/setup/cluster.sh
	@PYTHONPATH=$(CURDIR) $(PY) -m bench.run $(BENCH_ARGS)

clean: ## remove models, build and results
	rm -rf models build results .stamps
