# councilkpi: `make demo` runs the pipeline on the bundled samples, `make test` runs the tests.
# Both create .venv/ from the pinned requirements.lock first (once; again when the lock changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/warehouse.duckdb

.PHONY: setup demo test lint format clean notebook

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

demo: setup
	$(BIN)/councilkpi ingest --db $(DB)

test: setup
	$(BIN)/python -m pytest

notebook: demo  # run notebooks/kpi_series.ipynb headless on the demo warehouse; plots in notebooks/plots/
	cd notebooks && COUNCILKPI_DB=$(abspath $(DB)) ../$(BIN)/jupyter-execute kpi_series.ipynb

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(DB) $(DB).wal

# Headless Chromium for the HTML report test (tests/test_report_browser.py); skipped only if this fails.
.PHONY: browser
test: browser
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium) \
		|| echo "warning: could not install chromium; the browser test will be skipped"

# Benchmark (not a test): pages/s against bare pdfplumber on the same >= 300 pages; writes bench/results.json
.PHONY: bench
bench: setup
	$(BIN)/python bench/run.py
