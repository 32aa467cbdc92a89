# Two commands do all set-up: `make run` serves the API, `make test` runs the suite.
SHELL := /bin/bash
PORT ?= 4000
PY := .venv/bin/python
# USER is every shell's login name too: only `make token USER=…` on the command line picks the user.
TOKEN_USER := $(if $(filter command line,$(origin USER)),$(USER),alice)
GROUPS ?=
# `make test`'s workers: one per core, at most 4 (TEST_WORKERS=0 runs the suite in one process).
TEST_WORKERS ?= auto
ISSUER ?= cognito

.PHONY: setup run test lint token api-key schema bench clean

setup:
	@scripts/setup.sh

run: setup
	@PORT=$(PORT) $(PY) -m appsync_local serve

test: setup lint
	@scripts/ensure-chromium.sh
	@$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile $(PYTEST_ARGS)

# ruff (lint and format) and mypy on the runtime, the app and infra; part of `make test`.
lint: setup
	@$(PY) -m ruff check --quiet .
	@$(PY) -m ruff format --check --quiet .
	@$(PY) -m mypy

token: setup
	@$(PY) -m appsync_local token "$(TOKEN_USER)" --groups "$(GROUPS)" --issuer "$(ISSUER)"

api-key: setup
	@$(PY) -m appsync_local api-key

schema: setup
	@$(PY) -m appsync_local export-schema
	@$(PY) -m appdef schema

bench: setup
	@$(PY) bench/run_all.py

clean:
	rm -rf .venv node_modules .pytest_cache
