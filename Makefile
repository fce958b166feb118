# Two commands: `make run` (a running kehu with demo data) and `make test` (the suite).
# Both need only Python 3.11+; they create .venv on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kehu needs Python 3.11 or newer; run: make PYTHON=python3.12 …")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

run: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/kehu quickstart

test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: $(BIN)/python
	$(BIN)/ruff check .
