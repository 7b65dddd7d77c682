# Two commands on a fresh machine: `make run` and `make test`.
# Python 3.11 to 3.13 is needed, and on 3.11 and 3.12 a C compiler (durable-rules builds a
# C extension; on 3.13 it does not build and the plain-Python evaluator of the same rules runs).
# Everything is installed from the committed lock, requirements/requirements-dev.txt (hashes).
# The first of these that runs and is 3.11, 3.12 or 3.13 (pyenv shims may exist but not run).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12), (3, 13)))' \
	>/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/requirements-dev.txt
BUILD_LOCK := requirements/build.txt
ARGS ?= assess
LINT_PATHS := riskcli tests bench
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint fuzz bench lock catalog pack clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "riskcli needs Python 3.11, 3.12 or 3.13 (set PYTHON=...)" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)

# Every package from the lock, hashes checked; then riskcli itself with no dependencies and no
# build isolation, so that its build back-end is the locked one too. The installer and the build
# back-ends come first (the same pins, from $(BUILD_LOCK)): pip builds durable-rules from its
# source before it installs anything, and a new venv's setuptools cannot build a wheel alone.
$(VENV)/.installed: $(BIN)/python $(LOCK) $(BUILD_LOCK) pyproject.toml
	$(PIP) install --require-hashes --no-deps -r $(BUILD_LOCK)
	$(PIP) install --require-hashes --no-deps --no-build-isolation -r $(LOCK)
	$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

run: $(VENV)/.installed
	@$(BIN)/riskcli $(ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -m "not slow"

fuzz: $(VENV)/.installed
	$(BIN)/pytest -q -m slow

# Figures of bench/README.md (a few minutes; not part of `make test`).
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

# Rewrite the lock after changing a dependency in pyproject.toml or requirements/tools.in:
# newest releases allowed by the ranges, for Python 3.11 to 3.13 on every platform.
lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml requirements/tools.in --extra test --universal \
		--python-version 3.11 --generate-hashes --quiet -o $(LOCK)
	$(BIN)/uv pip compile requirements/build.in -c $(LOCK) --universal --python-version 3.11 \
		--generate-hashes --quiet -o $(BUILD_LOCK)
	$(BIN)/uv pip compile requirements/pyyaml-oldest.in --universal --python-version 3.11 \
		--generate-hashes --quiet -o requirements/pyyaml-oldest.txt

# After changing riskcli/i18n/messages.py or a translation in riskcli/i18n/locale/*/LC_MESSAGES/
# riskcli.po: bring the .po in step (new messages untranslated, changed ones fuzzy) and compile
# the .mo that riskcli reads (both committed; tests/test_i18n.py checks they agree).
catalog: $(VENV)/.installed
	$(BIN)/python -m riskcli.i18n.build

# After changing a file of rules/ or a module of PACK_CODE (riskcli/io/rulepack.py): the
# bundled pack validated and compiled for a quicker start-up (riskcli/io/bundled_pack.pickle,
# committed; tests/test_startup.py fails while it is out of step). An out-of-step one is
# never used: riskcli reads, validates and compiles the YAML files instead.
# PYTHONHASHSEED=0: the same files give the same bytes (sets are pickled in hash order).
pack: $(VENV)/.installed
	PYTHONHASHSEED=0 $(BIN)/python -m riskcli.io.rulepack

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
