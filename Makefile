# Two commands for a newcomer: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install install-test translations bench-tally clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: $(VENV)/.installed
	$(BIN)/engage translate compile

## Serve the demo on http://$(HOST):$(PORT) using the embedded SQLite database in instance/.
run: translations
	$(BIN)/engage db upgrade
	$(BIN)/engage demo
	ENGAGE_SCHEDULER_IN_PROCESS=1 $(BIN)/engage run --host $(HOST) --port $(PORT)

## Run the tests (SQLite; set DATABASE_URL=postgresql://... to run them on PostgreSQL).
test: $(VENV)/.installed-test
	$(BIN)/engage translate compile
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## PB tally speed against pabutools on the test elections (add files: make bench-tally FILES="...").
bench-tally: $(VENV)/.installed-test
	$(BIN)/python bench/tally.py --repeat 3 $(FILES)

clean:
	rm -rf $(VENV) build *.egg-info translations/*/LC_MESSAGES/*.mo
