# Two commands set everything up on a fresh Debian machine (see README):
#   make edition   venv + system packages + project, then build the default edition into output/
#   make test      the same set-up, then lint and the whole test suite
# Both are idempotent: the set-up re-runs only when pyproject.toml, the lock or a setup
# script change. Every Python package comes from requirements/lock.txt, pinned with hashes;
# `make lock` refreshes it from pyproject.toml (see README, "Locked dependencies").

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
LOCK   := requirements/lock.txt
STAMP  := $(VENV)/.stamp-install
UV_STAMP := $(VENV)/.stamp-uv
# quiet: progress and errors only (the machine's pip.conf warnings are noise here)
PIP    := $(BIN)/python -m pip -qq --disable-pip-version-check
UVOPT  := --quiet --python $(BIN)/python

.PHONY: edition test setup lint lock bench clean

setup: $(STAMP)

# the venv, with uv (the installer: pinned with hashes in requirements/uv.txt) inside it
$(UV_STAMP): requirements/uv.txt
	@test -x $(BIN)/python || { echo "setup: creating $(VENV) with $$($(PYTHON) --version 2>&1)"; \
	  $(PYTHON) -m venv $(VENV); } \
	  || { echo "setup: cannot create $(VENV) with $(PYTHON) (Debian: apt-get install python3-venv)" >&2; exit 1; }
	@$(PIP) install --require-hashes -r requirements/uv.txt \
	  || { echo "setup: cannot install uv from requirements/uv.txt (see above); check the network to PyPI" >&2; exit 1; }
	@touch $(UV_STAMP)

$(STAMP): pyproject.toml $(LOCK) scripts/setup-system.sh $(UV_STAMP)
	@bash scripts/setup-system.sh
	@echo "setup: installing the locked Python packages ($(LOCK))"
	@$(UV) pip install $(UVOPT) --require-hashes -r $(LOCK) \
	  || { echo "setup: cannot install the locked Python packages (see above); check the network to PyPI" >&2; exit 1; }
	@$(UV) pip install $(UVOPT) --no-deps --no-build-isolation -e . \
	  || { echo "setup: cannot install the project itself (editable; see above)" >&2; exit 1; }
	@$(UV) pip check $(UVOPT) >/dev/null 2>&1 || { $(UV) pip check $(UVOPT); \
	  echo "setup: $(LOCK) does not satisfy pyproject.toml (see above): run make lock" >&2; exit 1; }
	@touch $(STAMP)

# Re-resolve requirements/lock.txt from pyproject.toml (runtime + test extra): pins that
# still satisfy pyproject are kept; `make lock UPGRADE=1` moves every pin to the newest
# release allowed. Then commit the lock; the next make re-installs from it.
# uv itself: `make lock UV_VERSION=X.Y.Z` moves requirements/uv.txt to that release.
UV_VERSION ?= $(shell sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements/uv.txt)
lock: $(UV_STAMP)
	$(UV) pip compile --quiet --generate-hashes --extra test --python-version 3.11 \
	  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) \
	  -o $(LOCK) pyproject.toml
	echo "uv==$(UV_VERSION)" | $(UV) pip compile --quiet --generate-hashes --python-version 3.11 \
	  --custom-compile-command "make lock" -o requirements/uv.txt -
	@echo "lock: $(LOCK) pins $$(grep -c '^[a-z]' $(LOCK)) packages; uv $(UV_VERSION)"

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
