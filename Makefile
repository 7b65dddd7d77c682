# Two commands on a fresh machine: `make run` and `make test`.
# Python 3.11 or 3.12 and a C compiler are needed (durable-rules builds a C extension).
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ARGS ?= assess

.PHONY: run test lint fuzz bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/riskcli $(ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check riskcli tests bench
	$(BIN)/ruff format --check riskcli tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -m "not slow"

fuzz: $(VENV)/.installed
	$(BIN)/pytest -q -m slow

# Figures of bench/README.md (a few minutes; not part of `make test`).
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
