# VaxDesk — quick start: `make run` (demo app) and `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck bench bench-small clean-venv build translations errors-doc screenshots

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

# docs/screenshots/*.png at 1280×800 from a fresh demo register (offscreen; no display needed).
screenshots: $(STAMP)
	$(PY) -m tools.screenshots --out docs/screenshots

errors-doc: $(STAMP)
	$(PY) -m app.error_codes README.md

bench: $(STAMP)
	$(PY) -m benchmarks.run --persons 1000000
	$(PY) -m benchmarks.bench_counter --persons 1000000
	$(PY) -m benchmarks.bench_startup
	$(PY) -m benchmarks.bench_engine
	$(PY) -m benchmarks.bench_printing
	$(PY) -m benchmarks.bench_cancel --persons 1000000

bench-small: $(STAMP)
	$(PY) -m benchmarks.run --persons 20000
	$(PY) -m benchmarks.bench_counter --persons 20000 --samples 300

# Regenerate the Japanese translation from every module under app/ui (all subfolders), then
# compile it. New strings appear as type="unfinished" in the .ts: translate them, run again.
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate $$(find app/ui -name '*.py' | sort) \
		-ts resources/i18n/vaxdesk_ja.ts -no-obsolete -locations none
	$(VENV)/bin/pyside6-lrelease resources/i18n/vaxdesk_ja.ts -qm resources/i18n/vaxdesk_ja.qm

build: $(STAMP)
	$(PY) -m pip install --quiet -e '.[build]'
	$(VENV)/bin/pyinstaller --noconfirm build.spec

clean-venv:
	rm -rf $(VENV)
