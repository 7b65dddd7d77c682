# Two commands on a fresh machine: `make run` and `make test`.
# Python 3.11 or 3.12 and a C compiler are needed (durable-rules builds a C extension).
# The first of these that runs and is 3.11 or 3.12 (pyenv shims may exist but not run).
PYTHON ?= $(shell for p in python3.11 python3.12 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' >/dev/null 2>&1 \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
ARGS ?= assess
# Lint the folders that exist (tests/ and bench/ arrive with later work).
LINT_PATHS := riskcli $(wildcard tests bench)

.PHONY: run test lint fuzz bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "riskcli needs Python 3.11 or 3.12 (set PYTHON=...)" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/riskcli $(ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -m "not slow"

fuzz: $(VENV)/.installed
	$(BIN)/pytest -q -m slow

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
