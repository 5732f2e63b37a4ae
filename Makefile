# VaxDesk — quick start: `make run` (demo app) and `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck bench bench-small fuzz clean-venv build translations errors-doc screenshots

LOCK      := requirements.lock
TEST_LOCK := requirements-test.lock
UV        ?= uv

.PHONY: lock

# Runtime dependencies come from the hashed lock file, the test tools from theirs (pinned to the
# same runtime versions); the app itself is installed without dependencies. pyproject.toml keeps
# the version ranges; `make lock` re-resolves both files after a range changes.
$(STAMP): pyproject.toml $(LOCK) $(TEST_LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --require-hashes -r $(TEST_LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lock:
	$(UV) pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--no-header --quiet -o $(LOCK)
	$(UV) pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--generate-hashes --no-header --quiet -c $(LOCK) -o $(TEST_LOCK)

run: $(STAMP)
	$(VENV)/bin/vaxdesk demo

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests benchmarks
	$(VENV)/bin/ruff format --check app tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy app/domain app/store app/security
	$(VENV)/bin/mypy app
	$(VENV)/bin/mypy -p benchmarks
	$(VENV)/bin/mypy tests

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
	$(PY) -m benchmarks.bench_package
	$(PY) -m benchmarks.bench_sync --persons 1000000
	$(PY) -m benchmarks.bench_hub --persons 1000000
	$(PY) -m benchmarks.bench_rekey --persons 1000000

# Longer fuzz of the sync package reader (the suite runs a few thousand cases; this runs
# VAXDESK_FUZZ_EXAMPLES per test, random seeds). Only PackageError may come out of the reader.
fuzz: $(STAMP)
	VAXDESK_FUZZ_EXAMPLES=$${VAXDESK_FUZZ_EXAMPLES:-50000} QT_QPA_PLATFORM=offscreen \
		$(PY) -m pytest -q -p no:cacheprovider tests/sync/test_sync_fuzz.py

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
