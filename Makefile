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

.PHONY: setup train run run-cluster shell test bench clean

setup:
	@bash bot/setup.sh

train: setup
	@$(PY) -m bot.train

run: train
	@$(PY) -m bot.launcher run

# Redis, one action server, two Rasa servers and nginx in front (bot/cluster.py).
run-cluster: train
	@bash bot/setup_cluster.sh
	@$(PY) -m bot.cluster

shell: train
	@$(PY) -m bot.launcher shell

test: train
	@bash tests/run_all.sh

# Speed and memory (not part of `make test`): see bench/results.md.
bench: train
	@bash bot/setup_redis.sh
	@PYTHONPATH=$(CURDIR) $(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf models build results .stamps
