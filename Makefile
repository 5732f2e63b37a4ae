# VaxDesk — quick start: `make run` (demo app) and `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck bench bench-small fuzz clean-venv build

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/vaxdesk demo

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests benchmarks
	$(VENV)/bin/ruff format --check app tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy app/domain app/store app/security
	$(VENV)/bin/mypy app

test: $(STAMP) lint typecheck
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m benchmarks.run --persons 1000000
	$(PY) -m benchmarks.bench_counter --persons 1000000
	$(PY) -m benchmarks.bench_startup
	$(PY) -m benchmarks.bench_engine
	$(PY) -m benchmarks.bench_printing
	$(PY) -m benchmarks.bench_hub --persons 1000000

# Longer fuzz of the sync package reader (the suite runs a few thousand cases; this runs
# VAXDESK_FUZZ_EXAMPLES per test, random seeds). Only PackageError may come out of the reader.
fuzz: $(STAMP)
	VAXDESK_FUZZ_EXAMPLES=$${VAXDESK_FUZZ_EXAMPLES:-50000} QT_QPA_PLATFORM=offscreen \
		$(PY) -m pytest -q -p no:cacheprovider tests/sync/test_sync_fuzz.py

bench-small: $(STAMP)
	$(PY) -m benchmarks.run --persons 20000
	$(PY) -m benchmarks.bench_counter --persons 20000 --samples 300

build: $(STAMP)
	$(PY) -m pip install --quiet -e '.[build]'
	$(VENV)/bin/pyinstaller --noconfirm build.spec

clean-venv:
	rm -rf $(VENV)
