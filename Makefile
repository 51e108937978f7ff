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

# serve and build reuse the output of code blocks whose code, snippets and package source did not
# change (src/dlnotes/_site.py); delete .cache/ to run everything again. The tests never use it
# (their build gets an empty cache of its own, so that it too runs the pages in two processes).
# A cold cache is filled by two processes, one from each end of the site (src/dlnotes/_site_parallel.py).
EXEC_CACHE := DLNOTES_EXEC_CACHE=$(CURDIR)/.cache/exec DLNOTES_BUILD_JOBS=2

serve: install
	$(EXEC_CACHE) $(BIN)/mkdocs serve --strict -a 127.0.0.1:8000

build: install
	$(EXEC_CACHE) $(BIN)/mkdocs build --strict --site-dir site

# Tests go to the two workers one at a time (--maxschedchunk 1): a worker that is done takes the
# next test instead of idling while the other works through a queue of long ones.
test: install
	$(BIN)/python -m pytest -n 2 --maxschedchunk 1 $(PYTEST_ARGS)

# The package's unit tests only (no site build, no snippets): the inner loop.
test-fast: install
	$(BIN)/python -m pytest -n 2 -m "not slow and not site" --timeout 120 $(PYTEST_ARGS)

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf site build .cache .pytest_cache .hypothesis

.PHONY: deploy linkcheck

# Publish the site to GitHub Pages (the gh-pages branch of origin): what the docs workflow runs
# on main, and what a maintainer can run from a laptop with push rights.
deploy: install
	$(BIN)/mkdocs gh-deploy --strict --force --no-history

# Check every external link of a fresh build (needs a network; not part of the tests).
linkcheck: build
	$(BIN)/python scripts/linkcheck.py site

.PHONY: check
# One page, fast: `make check PAGE=docs/lessons/lesson-1.md` builds it (the rest in outline) and runs its tests.
check: install
	@test -n "$(PAGE)" || { echo 'usage: make check PAGE=docs/lessons/lesson-1.md'; exit 2; }
	$(BIN)/python scripts/check_page.py "$(PAGE)"
