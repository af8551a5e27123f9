# Newsroom: `make run` serves the site with demo content, `make test` runs everything CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
# The first interpreter on PATH that is Python >= 3.12 (pyenv's shims honour .python-version).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.14 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' \
	2>/dev/null && { echo $$p; break; }; done)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/newsroom
# What the tests and `check --deploy` run with: production settings, DEBUG off.
TEST_ENV := DEBUG=false SECRET_KEY=test-$(shell printf 'k%.0s' {1..60}) \
	ALLOWED_HOSTS=testserver,localhost,127.0.0.1,newsroom.test SECURE_SSL_REDIRECT=false \
	SITE_URL=http://testserver DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	EMAIL_URL=smtp://127.0.0.1:2525 DJANGO_ALLOW_ASYNC_UNSAFE=true PAGE_CACHE_SECONDS=0
DEPLOY_ENV := DEBUG=false SECRET_KEY=deploy-$(shell printf 'k%.0s' {1..60}) \
	ALLOWED_HOSTS=newsroom.example SITE_URL=https://newsroom.example \
	CACHE_URL=redis://127.0.0.1:6379/0 \
	EMAIL_URL=submission://mailer:secret@smtp.newsroom.example \
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)}

.PHONY: help python install run editor-password serve test lint bench bench-mail bench-federation faults clean

help:
	@echo "make run    serve the site on http://127.0.0.1:8000/ with demo content (SQLite)"
	@echo "make test   lint, migration and deploy checks, the whole test suite (PostgreSQL)"
	@echo "make editor-password  a new password for the demo editor of make run"
	@echo "make serve  production-like: collectstatic, migrate, gunicorn"
	@echo "make bench  page benchmarks (PostgreSQL, nginx, wrk)"
	@echo "make bench-mail  the daily digest to 10,000 and 100,000 subscribers; queueing 1,000,000"
	@echo "make bench-federation  one story to 1,000 followers on 100 servers"

python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "newsroom: no Python >= 3.12 found on PATH (Django 6.1 needs it)." >&2; \
	  echo "  Debian/Ubuntu: sudo apt install python3.12 python3.12-venv" >&2; \
	  echo "  macOS: brew install python@3.13    pyenv: pyenv install 3.13" >&2; \
	  exit 1; fi

$(VENV)/.installed: pyproject.toml | python
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	  rm -rf $(VENV); fi
	@[ -x $(PY) ] || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p var
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	@DEBUG=true $(PY) manage.py demo_editor
	@echo "Newsroom is running at http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)"
	@echo "Emails are not sent: each is printed here and kept at http://127.0.0.1:8000/dev/outbox/"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# The demo editor's password, for when the one printed by the first `make run` is lost.
editor-password: install
	@DEBUG=true $(PY) manage.py changepassword editor

serve: install
	$(PY) manage.py collectstatic --noinput
	$(PY) manage.py migrate --noinput
	$(VENV)/bin/gunicorn -c gunicorn.conf.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install
	@$(TEST_ENV) $(PY) -m newsroom.preflight postgres redis
	$(VENV)/bin/ruff check .
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks: not part of `make test`; each writes its section of bench/RESULTS.md.
bench: install
	@DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newsroom_bench} \
	  TEST_REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14} \
	  $(PY) -m newsroom.preflight postgres redis
	$(PY) -m bench.pages

# The daily digest to 10,000 and 100,000 subscribers through an SMTP sink (BENCH_MAIL_RUNS
# overrides the runs, e.g. 10000x4), then queueing one edition for 100,000 and 1,000,000.
bench-mail: install
	@DATABASE_URL=$${MAIL_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newsroom_bench_mail} \
	  $(PY) -m newsroom.preflight postgres
	$(PY) -m bench.mail_bench $(if $(BENCH_MAIL_RUNS),--runs $(BENCH_MAIL_RUNS))
	$(PY) -m bench.queue_bench

# One story to 1,000 followers on 100 fake servers on loopback.
bench-federation: install
	@DATABASE_URL=$${FEDERATION_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newsroom_bench_fedi} \
	  $(PY) -m newsroom.preflight postgres
	$(PY) -m bench.federation_bench

# Stops and restarts the local PostgreSQL: run it on a machine of your own.
faults: install
	$(PY) -m bench.faults

clean:
	rm -rf $(VENV) var/static
