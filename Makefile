# Two commands set everything up on a fresh Debian machine (see README):
#   make edition   venv + system packages + project, then build the default edition into output/
#   make test      the same set-up, then lint and the whole test suite
# Both are idempotent: the set-up re-runs only when pyproject.toml or the setup script change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-install

.PHONY: edition test setup lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

edition: $(STAMP)
	$(BIN)/edition build

lint: $(STAMP)
	$(BIN)/ruff check edition tests $(wildcard bench)

# EDITION_SLOW_TESTS=1: the 50 MB source test (~25 s) runs in CI too; two workers.
test: $(STAMP) lint
	EDITION_SLOW_TESTS=1 $(BIN)/pytest -q -n 2

bench: $(STAMP)
	$(BIN)/python bench/ingest

clean:
	rm -rf output .pytest_cache .ruff_cache
