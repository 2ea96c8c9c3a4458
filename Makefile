# Every target bootstraps what it needs (.venv, node_modules, the widget bundle)
# and skips what is already up to date, so running one twice is fast.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WIDGET := static/widget
WIDGET_SRC := $(shell find $(WIDGET)/src $(WIDGET)/scripts -type f 2>/dev/null)
GUIDE_PORT ?= 5000
GUIDE_HOST ?= 127.0.0.1
GUIDE := $(BIN)/guide

.PHONY: demo test bench lint widget package setup db clean screenshots scale-out translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# The `guide` command (pyproject.toml's [project.scripts]); installed again only when
# it is missing, e.g. from a .venv made before the command existed.
$(GUIDE): $(VENV)/.installed
	@test -x $@ || $(BIN)/python -m pip install --quiet --no-deps -e .
	@test -x $@

$(WIDGET)/node_modules/.installed: $(WIDGET)/package.json $(WIDGET)/package-lock.json
	cd $(WIDGET) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WIDGET)/dist/guide.js: $(WIDGET)/node_modules/.installed $(WIDGET_SRC)
	cd $(WIDGET) && npm run --silent build

widget: $(WIDGET)/dist/guide.js

# The widget as an npm package (docs/NPM.md), packed, not published:
# static/widget/build/guide-server-widget-<version>.tgz.
package: $(WIDGET)/node_modules/.installed
	cd $(WIDGET) && npm run --silent package

# The admin's compiled catalogs (.mo), from the .po files that are their one source
# (guide/i18n.py); not committed.
CATALOGS_PO := $(wildcard guide/translations/*/LC_MESSAGES/messages.po)
CATALOGS_MO := $(CATALOGS_PO:.po=.mo)

guide/translations/%/LC_MESSAGES/messages.mo: guide/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d guide/translations -l $*

setup: $(VENV)/.installed $(GUIDE) widget $(CATALOGS_MO)

# Extract the admin's strings into messages.pot and merge them into every catalog:
# new msgids arrive empty (tests/unit/test_admin_catalog.py then lists them until they
# are translated); then compile.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project Guide --copyright-holder "Guide contributors" -o guide/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -w 100 \
		-i guide/translations/messages.pot -d guide/translations
	$(BIN)/pybabel compile --statistics -d guide/translations

# Apply migrations and load content/ into the demo workspace (no-op when unchanged).
db: setup
	@mkdir -p instance
	@$(GUIDE) db upgrade
	@$(GUIDE) content push

# The demo's admin and support accounts (safe to run again: keeps the accounts, resets
# this password).
DEMO_AUTHOR ?= demo@example.com
DEMO_SUPPORT ?= support@example.com
DEMO_PASSWORD ?= guide-demo-password

demo: db
	@# A 90-day history for the analytics reports, once (kept when it is there already).
	@$(GUIDE) demo history
	@# A staging environment to publish to and promote from (docs/ENVIRONMENTS.md).
	@$(GUIDE) workspace environment create demo staging --exists-ok >/dev/null
	@$(GUIDE) content push --environment staging >/dev/null
	@$(GUIDE) author create $(DEMO_AUTHOR) --workspace demo --role admin \
		--password $(DEMO_PASSWORD) --exists-ok >/dev/null
	@$(GUIDE) author create $(DEMO_SUPPORT) --workspace demo --role support \
		--password $(DEMO_PASSWORD) --exists-ok >/dev/null
	@echo ""
	@echo "  Demo accounts (password $(DEMO_PASSWORD)): $(DEMO_AUTHOR) signs in to the admin,"
	@echo "  $(DEMO_SUPPORT) to the support inbox (or $(DEMO_AUTHOR) too)."
	@echo "  Mail outbox (the emails Guide sent): http://$(GUIDE_HOST):$(GUIDE_PORT)/demo/mail"
	@# Emails (a scenario's to the account's CSM, ...) are written to instance/mail and
	@# listed at /demo/mail, unless GUIDE_SMTP_URL names a real server.
	GUIDE_SMTP_URL=$${GUIDE_SMTP_URL:-file://$(CURDIR)/instance/mail} \
		$(GUIDE) serve --host $(GUIDE_HOST) --port $(GUIDE_PORT)

test: setup
	cd $(WIDGET) && npm run --silent typecheck && npm test --silent && npm run --silent size
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

$(VENV)/.bench-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@

# Guide against the bare framework on this machine; writes docs/BENCHMARKS.md and
# bench/results/. Needs wrk (installed with apt when running as root). Set
# GUIDE_BENCH_DATABASE_URL (or GUIDE_TEST_DATABASE_URL) to include PostgreSQL.
bench: setup $(VENV)/.bench-installed
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	@# Issue #17: the bootstrap against its floor (both databases), compressed JSON, and
	@# first paint in Chromium (skipped when Debian's chromium is missing).
	GUIDE_TEST_DATABASE_URL=$${GUIDE_BENCH_DATABASE_URL:-$$GUIDE_TEST_DATABASE_URL} \
		$(BIN)/python bench/bootstrap_floor.py
	@# The step:complete acks against their floor (pgbench on PostgreSQL, sqlite3 on SQLite).
	GUIDE_TEST_DATABASE_URL=$${GUIDE_BENCH_DATABASE_URL:-$$GUIDE_TEST_DATABASE_URL} \
		$(BIN)/python bench/ack_floor.py
	$(BIN)/python bench/compressed_json.py
	@# Memory per idle socket: 1,000 and 10,000 sockets in one gevent process (10-25 min).
	$(BIN)/python bench/socket_memory.py
	@if [ -x /usr/lib/chromium/chromium ]; then $(BIN)/python bench/first_paint.py; \
		else echo "first paint skipped: apt-get install chromium"; fi
	GUIDE_TEST_DATABASE_URL=$${GUIDE_BENCH_DATABASE_URL:-$$GUIDE_TEST_DATABASE_URL} \
		$(BIN)/python bench/search.py
	GUIDE_TEST_DATABASE_URL=$${GUIDE_BENCH_DATABASE_URL:-$$GUIDE_TEST_DATABASE_URL} \
		$(BIN)/python bench/sweep.py
	@# Analytics: 10 million events on PostgreSQL, 1 million on SQLite (fewer with
	@# GUIDE_BENCH_ANALYTICS_EVENTS=200000 for a quick run).
	GUIDE_TEST_DATABASE_URL=$${GUIDE_BENCH_DATABASE_URL:-$$GUIDE_TEST_DATABASE_URL} \
		$(BIN)/python bench/analytics.py
	cd $(WIDGET) && node scripts/compare-size.mjs

# The production tier on this machine (docs/DEPLOY.md): N gevent processes on
# PostgreSQL + Redis and separate delivery workers.
scale-out: setup
	$(BIN)/python -m pip install --quiet -e '.[postgres,redis,gevent]'
	scripts/scale-out.sh

# Regenerate the README's screenshots (docs/screenshots/) from the browser tests.
screenshots: setup
	GUIDE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser/test_analytics_demo.py \
		tests/browser/test_demo_checklist.py \
		tests/browser/test_authoring.py -k "keyboard or authoring or analytics_demo"
	GUIDE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser/test_surveys.py \
		tests/browser/test_analytics_surveys.py -k "grace or alan or demo_nps"

lint: setup
	$(BIN)/ruff check guide tests bench wsgi.py

clean:
	rm -rf $(VENV) $(WIDGET)/node_modules $(WIDGET)/dist $(WIDGET)/build instance
