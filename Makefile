# The two commands of the README: `make run` (the service on the example config) and
# `make test`. Both create ./.venv and install monitor into it on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= config/monitor.toml

.PHONY: run test lint bench install clean

$(BIN)/monitor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/monitor

install: $(BIN)/monitor

run: install
	mkdir -p inbox data
	$(BIN)/monitor --config $(CONFIG) --log-level info run

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check monitor tests bench
	$(BIN)/mypy monitor

bench: install
	$(BIN)/python bench/extract_eval.py
	$(BIN)/python bench/claims_eval.py

clean:
	rm -rf $(VENV) data *.egg-info
