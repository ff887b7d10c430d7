# The front door. `make deck` and `make test` bootstrap .venv themselves: a fresh clone needs only Python 3.11+.
# `make deck` installs only what building needs; `make test` adds the development tools (the dev extra).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP     := $(VENV)/.installed-dev

.PHONY: deck test lint bench clean i18n

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
	$(BIN)/pytest -n auto

# Translations (see CONTRIBUTING.md): collect the marked messages, merge them into each .po, compile
# the .mo files that are committed and shipped. The template is an intermediate in build/.
LOCALES := src/qa2anki/locale
POT     := build/i18n/qa2anki.pot

i18n: $(DEV_STAMP)
	@mkdir -p $(dir $(POT))
	$(BIN)/pybabel -q extract -F babel.cfg --no-wrap --add-location=file --sort-by-file \
		--project=qa2anki --copyright-holder="qa2anki contributors" -o $(POT) .
	$(BIN)/pybabel -q update --no-wrap --ignore-obsolete --ignore-pot-creation-date -D qa2anki -i $(POT) -d $(LOCALES)
	$(BIN)/pybabel compile --statistics -D qa2anki -d $(LOCALES)

bench: $(RUNTIME_STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build $(VENV)
