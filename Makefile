# councilkpi: `make demo` runs the pipeline on the bundled samples, `make test` runs the tests.
# Both create .venv/ from the pinned requirements.lock first (once; again when the lock changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/warehouse.duckdb

.PHONY: setup demo test lint format clean notebook

setup: $(STAMP) ocr

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

# Tesseract's English data for OCR of scanned pages (the tesserocr wheel in requirements.lock brings the engine);
# without it image-only pages are left unread (the run says so) and the OCR tests are skipped.
TESSDATA_ENG := /usr/share/tesseract-ocr/5/tessdata/eng.traineddata
.PHONY: ocr
ocr:
	@test -f $(TESSDATA_ENG) || (apt-get update && apt-get install -y tesseract-ocr tesseract-ocr-eng) \
		|| echo "warning: could not install Tesseract (tesseract-ocr, tesseract-ocr-eng); scanned pages will not be read"

# Benchmark (not a test): pages/s against bare pdfplumber on the same >= 300 pages; writes bench/results.json
.PHONY: bench
bench: setup
	$(BIN)/python bench/run.py
