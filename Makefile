# The two commands: `make run` and `make test`. Both work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DB ?= sqlite:///comptoir.db

.PHONY: run test install bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/comptoir --db $(DB) db init --all --demo --if-missing
	$(BIN)/comptoir --db $(DB) addons list

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/orm.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache comptoir.db
