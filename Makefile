# The two commands of the README: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# One stamp per requirement set, named after its files' checksum: editing one reinstalls it.
RUN_STAMP := $(VENV)/.installed-run-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test quality install install-run system-deps-run system-deps-test bench bench-load clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# What serving needs (requirements.txt): `make run`.
$(RUN_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-run-* && touch $@

# The same plus the test, quality and benchmark tools (requirements-dev.txt): every other target.
$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@ $(RUN_STAMP)

install-run: $(RUN_STAMP)

install: $(DEV_STAMP)

system-deps-run:
	@scripts/system-deps.sh run

system-deps-test:
	@scripts/system-deps.sh test

## Set everything up and serve the platform with the demo data on http://127.0.0.1:8000
run: system-deps-run install-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	HOST=$(HOST) PORT=$(PORT) scripts/serve-dev.sh

## Run the whole test suite (SQLite + embedded broker, or DATABASE_URL / REDIS_URL when set)
test: system-deps-test install
	$(PY) manage.py check --fail-level WARNING
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

quality: install
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(PY) -m djlint templates --lint --quiet
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

## Dashboards' server time beside a floor page at 15 sites and 1,600 sites × ~100 meetings
## (BENCH_LARGE=1 adds 1,600 × ~1,500 meetings; DATABASE_URL=postgres://… uses PostgreSQL)
## Benchmarks: dashboards vs the floor page at 3 data sizes (bench/RESULTS.md), the PDF reports, the
## refusal of hostile import files (bench/uploads.py, printed), then
## the load benchmark (loadtest/RESULTS.md; it needs the local PostgreSQL and Redis, said when absent)
bench: system-deps-run install
	$(PY) -m bench.run
	$(PY) -m bench.reports
	$(PY) -m bench.uploads
	$(PY) -m bench.imports
	$(PY) -m bench.signin
	@if $(PY) -m loadtest.run_load --check-servers; then \
	  $(MAKE) --no-print-directory bench-load; \
	else echo "Load benchmark not run: it needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379."; fi

## Load benchmark: gunicorn + Celery on PostgreSQL/Redis, locust 30 users paced at 55 req/s for 60 s (loadtest/RESULTS.md)
bench-load: install
	$(PY) -m loadtest.run_load --users 30 --duration 60 --rate 55

clean:
	rm -rf var/test-db-* var/celery test-artifacts
