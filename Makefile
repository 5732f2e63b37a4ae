# VaxDesk — quick start: `make run` (demo app) and `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck bench bench-small clean-venv build errors-doc

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

errors-doc: $(STAMP)
	$(PY) -m app.error_codes README.md

bench: $(STAMP)
	$(PY) -m benchmarks.run --persons 1000000
	$(PY) -m benchmarks.bench_counter --persons 1000000
	$(PY) -m benchmarks.bench_startup
	$(PY) -m benchmarks.bench_engine
	$(PY) -m benchmarks.bench_printing

bench-small: $(STAMP)
	$(PY) -m benchmarks.run --persons 20000
	$(PY) -m benchmarks.bench_counter --persons 20000 --samples 300

build: $(STAMP)
	$(PY) -m pip install --quiet -e '.[build]'
	$(VENV)/bin/pyinstaller --noconfirm build.spec

clean-venv:
	rm -rf $(VENV)
