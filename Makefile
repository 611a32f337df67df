# Everything sets itself up from python3 and make alone: `make test` and `make demo`
# create .venv on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_OUT ?= demo-output

.PHONY: install test lint demo bench browser clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,distributed,bench]"
	touch $(STAMP)

lint: install
	$(BIN)/ruff check supportsim tests benchmarks notebooks/_build.py
	$(BIN)/mypy

# The suite on every core, at most 4 (about 5.5 min on 2 cores, 11 on one: pytest -n 0).
test: lint
	$(BIN)/python -m pytest -n auto --maxprocesses 4

demo: install
	$(BIN)/supportsim run scenarios/rollout_tiered.toml --out $(DEMO_OUT) \
		--report $(DEMO_OUT)/report.html

# Headless Chromium for the report's browser tests (tests/test_report_browser.py), from
# the OS packages when missing; then those tests alone.
browser: install
	command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)
	$(BIN)/python -m pytest tests/test_report_browser.py -rs

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache
