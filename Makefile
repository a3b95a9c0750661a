# The README's commands. `make run` sets up, builds from the archive and opens the app;
# `make test` sets up and runs the tests.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
SOURCE  ?= ../shared/corpus/vdlm-meetups

.PHONY: setup setup-browser build run test test-fast bench lint

$(BIN)/explorer: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	# The pinned torch resolves to the local CPU wheel here; elsewhere it is PyPI's build.
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	touch $@

setup: $(BIN)/explorer

# Debian's Chromium for the end-to-end browser test (Playwright drives it; no browser download).
setup-browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)

build: setup
	$(BIN)/explorer build --source $(SOURCE)

run: build
	$(BIN)/streamlit run app.py

test: setup setup-browser
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not e2e"

lint: setup
	$(BIN)/ruff check explorer embeddings app.py tests benchmarks
