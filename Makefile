# Deep Learning Notes: `make serve` and `make test` are all a reader or contributor needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install serve build test test-fast bench clean

install: $(STAMP)

# Reinstalls only when requirements.txt or pyproject.toml change: a second run installs nothing.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

serve: install
	$(BIN)/mkdocs serve --strict -a 127.0.0.1:8000

build: install
	$(BIN)/mkdocs build --strict --site-dir site

test: install
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The package's unit tests only (no site build, no snippets): the inner loop.
test-fast: install
	$(BIN)/python -m pytest -n 2 -m "not slow and not site" --timeout 120 $(PYTEST_ARGS)

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf site build .pytest_cache .hypothesis
