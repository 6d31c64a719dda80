# One target per stage. `make help` lists them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
RAW_DIR ?= data/raw
PROCESSED_DIR ?= data/processed
REPORTS_DIR ?= reports
FISCAL_YEAR ?=
JOBS ?= 2
PIPELINE_ARGS = --raw-dir $(RAW_DIR) --processed-dir $(PROCESSED_DIR) --reports-dir $(REPORTS_DIR) --jobs $(JOBS) \
	$(if $(FISCAL_YEAR),--fiscal-year $(FISCAL_YEAR),)

.PHONY: help install chromium verify-raw tables report test unit e2e nbval lint format lab notebooks bench clean

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## //'

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required (japanize-matplotlib needs distutils)"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

## install: create .venv with the pinned environment
install: $(VENV)/.installed

## verify-raw: check every raw file against its sha256 in data/raw/sources.csv
verify-raw: install
	$(PY) -m helpers.pipeline verify --raw-dir $(RAW_DIR)

## tables: clean the four cities' sheets into data/processed (cleaning notebooks only)
tables: install
	$(PY) -m helpers.pipeline run $(PIPELINE_ARGS) --stop-after clean

## report: run the whole pipeline (tables, analyses, figures, report, report.pdf); FISCAL_YEAR=YYYY picks the year
report: install
	$(PY) -m helpers.pipeline run $(PIPELINE_ARGS)
	$(PY) -m helpers.views.report_pdf --reports-dir $(REPORTS_DIR)

## chromium: install the browser that prints report.pdf and runs the browser test (Debian/Ubuntu, as root)
chromium:
	apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk

## test: lint, unit tests, end-to-end tests and nbval on the committed notebooks
test: lint unit e2e nbval

## unit: unit and property tests and doctests (seconds to a minute; no pipeline run)
unit: install
	$(PY) -m pytest -q -m "not e2e"

## e2e: end-to-end tests, each sharing the few whole-pipeline runs they need
e2e: install
	$(PY) -m pytest -q -m e2e

## nbval: re-run the committed notebooks and compare their outputs
nbval: install
	$(PY) -m pytest -q -p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg notebooks

## lint: ruff check and format check
lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

## format: apply ruff formatting
format: install
	$(VENV)/bin/ruff format src tests benchmarks
	$(VENV)/bin/ruff check --fix src tests benchmarks

## lab: open JupyterLab on the notebooks
lab: install
	$(VENV)/bin/jupyter lab notebooks

## notebooks: re-execute the committed notebooks in place with their default parameters (after changing code)
notebooks: install
	$(PY) -m helpers.pipeline refresh-notebooks

## bench: parsing MB/s at 1x/10x/100x, cleaning per city, the full pipeline vs its papermill floor, into BENCHMARKS.md
bench: install
	$(PY) benchmarks/bench.py --write

## clean: remove the virtual environment
clean:
	rm -rf $(VENV)
