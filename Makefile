# The front door. `make deck` and `make test` bootstrap .venv themselves: a fresh clone needs only Python 3.11+.
# `make deck` installs only what building needs; `make test` adds the development tools (the dev extra).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP     := $(VENV)/.installed-dev

.PHONY: deck test lint bench clean

$(RUNTIME_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	@touch $@

$(DEV_STAMP): $(RUNTIME_STAMP)
	$(PIP) -e '.[dev]'
	@touch $@

deck: $(RUNTIME_STAMP)
	$(BIN)/qa2anki build

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy --strict src

test: lint
	$(BIN)/pytest

bench: $(RUNTIME_STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build $(VENV)
