# The two commands: `make run` serves the site, `make test` checks it.
PYTHON ?= python3
BIN := .venv/bin

.PHONY: run test test-sqlite test-postgres format lint migrate seed static messages loadtest bench bench-pg chromium screenshots

$(BIN)/gunicorn: requirements.txt
	$(PYTHON) -m venv .venv
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/pytest: $(BIN)/gunicorn requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

migrate: $(BIN)/gunicorn
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py load_seed

# Hashing and compressing ~650 files takes most of a restart, so static files are
# collected only when a source changed: static/ (a file or a directory's entries), the
# installed packages (reinstalled when requirements.txt changes), or what chooses them.
STATIC_ROOT := $(or $(DJANGO_STATIC_ROOT),staticfiles)
$(STATIC_ROOT)/staticfiles.json: $(BIN)/gunicorn $(shell find static/ -print) hkai_site/apps.py hkai_site/settings.py
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	touch $@

static: $(STATIC_ROOT)/staticfiles.json

run: seed static
	$(BIN)/gunicorn -c gunicorn.conf.py hkai_site.wsgi

lint: $(BIN)/pytest
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

format: $(BIN)/pytest
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Debian's Chromium for the browser tests, installed with apt-get when missing (as root).
chromium: $(BIN)/pytest
	$(BIN)/python -m devtools.chromium

# The whole suite twice, both at once (each leg is mostly one busy process, and the
# machine has two cores): on the embedded SQLite default (browser tests included), and
# on a throwaway PostgreSQL server that devtools/with_postgres.py starts on 127.0.0.1.
# Each leg's output is printed whole when it ends. `make test-sqlite` runs one leg.
test: lint chromium
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: $(BIN)/pytest
	$(BIN)/pytest

test-postgres: $(BIN)/pytest
	$(BIN)/python devtools/with_postgres.py $(BIN)/pytest

# Desktop and phone screenshots of the main pages, from the seed, into docs/screenshots/.
screenshots: chromium
	$(BIN)/python -m devtools.screenshots docs/screenshots

# Refresh locale/zh_Hant from the templates and code (needs GNU gettext), then edit the
# .po and run this again: the compiled .mo is committed, so `make run` needs no gettext.
messages: $(BIN)/pytest
	$(BIN)/python manage.py makemessages -l zh_Hant --no-obsolete --no-location --ignore=.venv --ignore=tests --ignore=devtools
	$(BIN)/python -c "import polib; polib.pofile('locale/zh_Hant/LC_MESSAGES/django.po').save_as_mofile('locale/zh_Hant/LC_MESSAGES/django.mo')"
	$(BIN)/python devtools/simplified_catalogue.py

# 60 s of 32 readers and an editor against gunicorn, one worker killed mid-run.
loadtest: $(BIN)/pytest
	$(BIN)/python bench/loadtest.py --seconds 60 --readers 32

# The scale benchmark: 100,000 articles (built once into bench/data/), gunicorn in
# production mode, load from wrk (Debian's wrk package) or a Python stand-in.
WRK = @command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) || true

bench: $(BIN)/pytest
	$(WRK)
	$(BIN)/python bench/markdown_worst_case.py
	$(BIN)/python bench/images.py
	$(BIN)/python bench/run.py --articles 100000

bench-pg: $(BIN)/pytest
	$(WRK)
	$(BIN)/python devtools/with_postgres.py $(BIN)/python bench/run.py --articles 100000 --output bench/results-pg.json
