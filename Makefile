# The two commands that matter: `make run` (the whole system on this machine) and `make test`.
# DATABASE_URL, REDIS_URL, MQTT_URL and friends are read from the environment (or .env).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
LIVE_PORT ?= 8001
# Parallel test workers (pytest-xdist): one per core of the CI machine.
TEST_WORKERS ?= 2

.PHONY: help run test lint messages bench venv venv-dev check-services browser clean

help:
	@echo "make run       start the system on http://$(HOST):$(PORT) (embedded default unless DATABASE_URL/REDIS_URL are set)"
	@echo "make test      lint, import layers, migrations check and the whole test suite (needs PostgreSQL and Redis)"
	@echo "make lint      ruff check, ruff format --check, lint-imports"
	@echo "make messages  extract and compile the Simplified Chinese translations"
	@echo "make bench     run every benchmark in bench/"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

# --- make run -------------------------------------------------------------------------------
# Migrate, load the demo plant, collect static files, then run the web servers with the
# background work: on the embedded default `run_periodic` (tasks run in-process); with REDIS_URL
# a Celery worker with beat. Ctrl-C stops all of them.
# Web servers: with DATABASE_URL the deployed layout of docker-compose.yml (gunicorn for HTTP on
# PORT, daphne for websockets on LIVE_PORT); on the embedded default (SQLite, in-memory channel
# layer) one daphne serves both, so live updates stay inside one process.
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --show-logins
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@pids=(); \
	stop() { trap - INT TERM EXIT; echo; echo "Stopping..."; kill -TERM "$${pids[@]}" 2>/dev/null || true; wait "$${pids[@]}" 2>/dev/null || true; }; \
	trap stop INT TERM EXIT; \
	if [ -n "$${REDIS_URL:-}" ] || grep -qs '^REDIS_URL=.' .env; then \
	  echo "Background work: Celery worker with beat (Redis)"; \
	  $(VENV)/bin/celery -A config worker --beat --loglevel INFO --concurrency 2 & pids+=($$!); \
	else \
	  echo "Background work: periodic jobs in-process (embedded default)"; \
	  $(PY) manage.py run_periodic & pids+=($$!); \
	fi; \
	if [ -n "$${MQTT_URL:-}" ] && $(PY) manage.py help ingest_mqtt >/dev/null 2>&1; then \
	  echo "Machine data: ingest_mqtt ($$MQTT_URL) fed by simulate_plant over MQTT"; \
	  $(PY) manage.py ingest_mqtt & pids+=($$!); \
	  $(PY) manage.py simulate_plant & pids+=($$!); \
	else \
	  echo "Machine data: simulate_plant feeding the ingestion service in-process"; \
	  $(PY) manage.py simulate_plant --in-process & pids+=($$!); \
	fi; \
	if [ -n "$${DATABASE_URL:-}" ] || grep -qs '^DATABASE_URL=.' .env; then \
	  echo "Web: gunicorn (HTTP) on $(PORT), daphne (websockets) on $(LIVE_PORT)"; \
	  export LIVE_SOCKET_URL="$${LIVE_SOCKET_URL:-ws://$(HOST):$(LIVE_PORT)/ws/live/}"; \
	  CONN_MAX_AGE=0 $(VENV)/bin/daphne -b $(HOST) -p $(LIVE_PORT) config.asgi:application & pids+=($$!); \
	  WEB_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi & pids+=($$!); \
	else \
	  $(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application & pids+=($$!); \
	fi; \
	echo "Smart Factory on http://$(HOST):$(PORT)/  (Ctrl-C stops everything)"; \
	wait -n "$${pids[@]}" || true

# --- make test ------------------------------------------------------------------------------
test: venv-dev check-services browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	@# Known vulnerabilities in the pinned runtime packages (needs PyPI and the advisory database).
	$(VENV)/bin/pip-audit --requirement requirements.txt --progress-spinner off
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py makemigrations --check --dry-run
	@# --create-db: a test database left by an older checkout (other migrations) is never reused.
	@# -n: pytest-xdist workers, each with its own test database and Redis database (tests/README.md).
	@rc=0; $(VENV)/bin/pytest --create-db -n $(TEST_WORKERS) --dist loadgroup || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure here."; exit 1; fi; \
	exit $$rc

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# PostgreSQL and Redis must answer before the suite starts (the tests use the real ones).
check-services: venv-dev
	@$(PY) -c 'import os, socket, sys, urllib.parse as u; \
	targets = [("PostgreSQL", os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factory"), 5432), \
	           ("Redis", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), 6379)]; \
	down = []; \
	[down.append(f"{name} at {p.hostname}:{p.port or port}") for name, url, port in targets \
	 for p in [u.urlparse(url)] \
	 if socket.socket().connect_ex((p.hostname or "127.0.0.1", p.port or port)) != 0]; \
	down and sys.exit("Not reachable: " + ", ".join(down) + ".\nStart them, e.g.:\n" \
	  "  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start\n" \
	  "  redis-server --daemonize yes --save \"\" --appendonly no\n" \
	  "or point DATABASE_URL / REDIS_URL at running servers.")'

# The browser tests drive Debian's Chromium; install it when we may, else they skip with a reason.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "No /usr/bin/chromium and not root: the e2e tests will be skipped."; fi

# --- translations and benchmarks ------------------------------------------------------------
messages: venv
	@if ! command -v xgettext >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; fi
	mkdir -p locale
	$(PY) manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'static/vendor/*' --ignore 'tests/*'
	$(PY) manage.py makemessages -d djangojs -l zh_Hans --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'static/vendor/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

# Each bench/*.py prints one JSON line last (bench/_*.py are their shared helpers, not benchmarks).
# They use the real PostgreSQL and Redis, like the tests (bench/README.md).
bench: venv-dev check-services
	@shopt -s nullglob; scripts=(bench/[!_]*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks in bench/."; exit 0; fi; \
	for script in "$${scripts[@]}"; do echo "== $$script"; $(PY) "$$script"; done

clean:
	rm -rf staticfiles .pytest_cache test-artifacts
