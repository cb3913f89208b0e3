# The two commands: `make run` and `make test`. Both work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DB ?= sqlite:///comptoir.db
PORT ?= 8069
AXE_VERSION := 4.14.1

.PHONY: run test install bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# axe-core (accessibility audits in browser tests) comes from the npm registry when npm exists
.cache/npm/node_modules/axe-core/axe.min.js:
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@$(AXE_VERSION); \
	else echo "npm not found: browser accessibility audits will be skipped"; fi

run: install
	$(BIN)/comptoir --db $(DB) db init --all --demo --if-missing
	$(BIN)/comptoir --db $(DB) addons list
	@$(BIN)/comptoir --db $(DB) users demo-logins
	@echo "Open http://127.0.0.1:$(PORT)/"
	$(BIN)/comptoir --db $(DB) serve --port $(PORT)

test: install .cache/npm/node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/orm.py
	$(BIN)/python bench/security.py
	$(BIN)/python bench/crm.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache comptoir.db .cache test-artifacts
