# Manyi: `make run` serves the app, `make test` runs the tests. Both set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 3
PYTEST_ARGS ?= -n 2
TRANSLATIONS := feedback/translations

.PHONY: run install install-test translations test lint bench bench-dashboards messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --editable .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet --editable '.[dev]'
	touch $@

WEBFONT := static/fonts/manyi-cjk.woff2

install: $(VENV)/.installed translations $(WEBFONT)

install-test: $(VENV)/.installed-test translations $(WEBFONT)

# Chinese for browsers without a CJK font of their own, cut from the bundled Noto Sans CJK.
$(WEBFONT): $(VENV)/.installed feedback/translations/zh/LC_MESSAGES/messages.po tools/build_webfont.py
	$(BIN)/python -m tools.build_webfont

# Message catalogues are compiled at install time; the .mo files are not committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d $(TRANSLATIONS) -D messages >/dev/null

# The web server and the periodic worker, both from the Procfile, run by honcho: Ctrl-C stops
# them all. The venv's bin comes first on PATH so the Procfile's plain commands are its own.
run: install
	$(BIN)/manyi db upgrade
	$(BIN)/manyi demo --if-empty
	@echo
	@echo "Manyi is at http://127.0.0.1:$(PORT)/ — sign in at http://127.0.0.1:$(PORT)/login"
	@echo "Demo accounts and passwords: see README.md (\"Demo data\")."
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" WORKERS=$(WORKERS) $(BIN)/honcho start -f Procfile -p $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check feedback surveys tests bench tools wsgi.py

# Extract the strings to translate and merge them into the catalogues (developers only).
messages: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

# Load comes from wrk (Debian package), which drives loopback far cheaper than a Python client.
bench: install-test
	@command -v wrk >/dev/null || { echo "== installing wrk"; apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run

# The dashboards on 1,000,000 evaluations (bench/generate.py fills the database first, several
# minutes); PostgreSQL too with BENCH1M_DATABASE_URL=postgresql://…/manyi_bench1m.
bench-dashboards: install-test
	$(BIN)/python -m bench.generate
	$(BIN)/python -m bench.dashboards
	@if [ -n "$$BENCH1M_DATABASE_URL" ]; then \
		$(BIN)/python -m bench.generate --database-url "$$BENCH1M_DATABASE_URL" && \
		$(BIN)/python -m bench.dashboards --database-url "$$BENCH1M_DATABASE_URL"; fi

clean:
	rm -rf $(VENV) build *.egg-info
