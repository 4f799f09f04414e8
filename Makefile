# Two commands for a new user: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app

.PHONY: run test lint lock browser-deps clean translations
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm is missing: the browser tests' accessibility checks need it (see README)."; fi

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d translations -l $*

## Re-extract the English strings and merge them into every language's catalogue.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --omit-header \
		--ignore-dirs=".venv node_modules tests bench migrations" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --width 100

## Create the virtualenv, migrate, seed the demo cycle once, and serve it.
run: $(STAMP) $(CATALOGS)
	$(BIN)/flask pb migrate
	$(BIN)/flask pb seed-demo
	@echo "Cyd is at http://127.0.0.1:5000/"
	$(BIN)/flask run --port 5000

## The whole test suite (browser tests included), in parallel; then again on PostgreSQL.
# Three parts run once: the counting engine touches no database; the benchmarks' smoke tests make
# their own (the fault bench on PostgreSQL); the page crawl checks how pages look and read, which
# the database does not change, and would take CI past its 15 minutes.
test: $(STAMP) $(CATALOGS) node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -n "$$CI" ]; then \
		echo "The same suite on PostgreSQL:"; \
		CYD_TEST_DATABASE=postgresql $(BIN)/pytest -n 2 --ignore=tests/counting \
			--ignore=tests/browser/test_every_page.py --ignore=tests/test_bench.py; \
	else echo "PostgreSQL's server is not installed, so the suite ran on SQLite only (CI runs both)."; fi

lint: $(STAMP)
	$(BIN)/ruff check .

## Re-pin every installed package after changing requirements*.txt.
lock:
	rm -rf $(VENV) && $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	(echo "# Every installed package, pinned (pip freeze of requirements-dev.txt). Regenerate with: make lock"; \
	 $(BIN)/pip freeze) > constraints.txt
	touch $(STAMP)

## System packages the browser, PostgreSQL and Redis tests need (Debian; run as root). CI installs them in .ci/run.
browser-deps:
	apt-get update -qq && apt-get install -y -qq chromium postgresql redis-server fonts-dejavu-core

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
