# VaxDesk — quick start: `make run` (demo app) and `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck bench bench-small clean-venv build

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

test: $(STAMP) lint typecheck
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

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
