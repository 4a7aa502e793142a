# Formativ: `make run` serves the demo site, `make test` runs the whole suite.
# Everything below installs what it needs, from a bare clone on Debian 12 with Python 3.11.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Stamps live inside the virtualenv: removing .venv forgets what was installed into it.
STAMP := $(VENV)/.make

.PHONY: run test deps test-postgres bench bench-postgres lint format messages seed worker clean

$(STAMP): | $(PY)
	mkdir -p $(STAMP)

# Debian's python3.11 needs python3.11-venv (ensurepip) to create a virtualenv.
$(PY):
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || \
		scripts/ensure-system-packages.sh /nonexistent/ensurepip:python3.11-venv
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -qq --upgrade pip

# Runtime dependencies (pinned), reinstalled when the pins change.
$(STAMP)/base: requirements/base.txt | $(PY) $(STAMP)
	$(PIP) install -qq -r requirements/base.txt
	touch $@

# Test and tooling dependencies (pinned).
$(STAMP)/dev: requirements/base.txt requirements/dev.txt | $(PY) $(STAMP)
	$(PIP) install -qq -r requirements/dev.txt
	touch $@ $(STAMP)/base

$(STAMP)/gettext: | $(STAMP)
	scripts/ensure-system-packages.sh msgfmt:gettext
	touch $@

# Browser tests need Chromium. In CI (CI set) failing to install it fails the build; on a
# machine that truly cannot install it, the browser tests are skipped with a message.
$(STAMP)/chromium: | $(STAMP)
	@scripts/ensure-system-packages.sh /usr/bin/chromium:chromium || \
		{ [ -z "$$CI" ] && echo "Chromium could not be installed: browser tests will be skipped."; }
	@if [ -x /usr/bin/chromium ]; then touch $@; fi

messages: $(STAMP)/base $(STAMP)/gettext
	$(MANAGE) compilemessages -v0 --ignore=$(VENV)

## run: everything from a bare clone to a served site with demo data and the task worker.
run: messages
	$(MANAGE) migrate --noinput -v0
	@# Idempotent: builds the demo data the first time, and only prints the login after that.
	FORMATIV_BASE_URL=http://$(HOST):$(PORT) $(MANAGE) seed_demo
	@echo "Serving Formativ on http://$(HOST):$(PORT) (task worker and the 10-minute process_due beside it; e-mails are printed here; Ctrl+C stops all)"
	@$(MANAGE) db_worker --queue-name='*' & worker=$$!; \
		(while sleep 600; do $(MANAGE) process_due; $(MANAGE) evaluation_due; done) & due=$$!; \
		trap 'kill $$worker $$due 2>/dev/null' EXIT INT TERM; \
		$(MANAGE) runserver $(HOST):$(PORT)

worker: $(STAMP)/base
	$(MANAGE) db_worker --queue-name='*'

seed: messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) seed_demo

## test: everything from a bare clone to a passing full suite (unit, API, admin, browser).
test: deps
	$(VENV)/bin/pytest

## deps: what the suites need (development packages, compiled messages, Chromium), once.
deps: $(STAMP)/dev messages $(STAMP)/chromium

## test-postgres: the same suite on a throwaway PostgreSQL cluster on a loopback port.
test-postgres: deps
	scripts/ensure-system-packages.sh /usr/lib/postgresql/15/bin/initdb:postgresql
	scripts/test-postgres.sh

## bench: benchmarks; they print figures and ratios, and never fail on time.
bench: $(STAMP)/dev messages
	$(VENV)/bin/pytest tests/bench -m bench -s -q

bench-postgres: $(STAMP)/dev messages
	scripts/ensure-system-packages.sh /usr/lib/postgresql/15/bin/initdb:postgresql
	scripts/test-postgres.sh tests/bench -m bench -s -q

lint: $(STAMP)/dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)/dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) static_collected
