# Expert Bridge: `make run` serves the seeded service, `make test` runs the suite.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed
# Compiled message catalogues (git-ignored): built from the committed .po files.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test test-pg fuzz install translations migrate seed lint format check bench clean \
	browser-deps screenshots

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; set PYTHON=python3.x (>=3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/pybabel compile -d app/translations
	touch $(STAMP)

# A catalogue is compiled again whenever its .po file changes.
app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

translations: $(CATALOGUES)

install: $(STAMP) $(CATALOGUES)

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

run: seed
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL (CI's database by default).
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-pg: install browser-deps
	TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

# Schemathesis over every operation with fresh random examples (the suite's are fixed).
FUZZ_EXAMPLES ?= 200
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_api_fuzz.py

# The browser tests (tests/browser) drive Debian's chromium through its chromedriver; they
# fail, never skip, without them. As root with apt-get this installs both; else it says what to.
CHROMIUM     := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver
APT_INSTALL  := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
browser-deps:
	@if [ -x $(CHROMIUM) ] && [ -x $(CHROMEDRIVER) ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "ERROR: the browser tests need $(CHROMIUM) and $(CHROMEDRIVER): install Debian's" \
			"chromium and chromium-driver (sudo apt-get install chromium chromium-driver)." >&2; \
		exit 1; \
	fi; \
	echo "Installing chromium and chromium-driver for the browser tests"; \
	$(APT_INSTALL) || { apt-get update && $(APT_INSTALL); } || { \
		echo "ERROR: apt-get could not install chromium and chromium-driver." >&2; exit 1; }; \
	[ -x $(CHROMIUM) ] && [ -x $(CHROMEDRIVER) ] || { \
		echo "ERROR: apt-get installed chromium and chromium-driver, yet $(CHROMIUM) or $(CHROMEDRIVER) is missing." >&2; exit 1; }

# A PNG of each page in each language at 1280 and 360 px, into screenshots/ (git-ignored).
screenshots: install browser-deps
	$(BIN)/python -m tests.browser.screenshots screenshots

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(STAMP)
	$(FLASK) db check

bench: $(STAMP)
	$(BIN)/python -m bench.seed_synthetic

clean:
	rm -rf $(VENV) instance/*.sqlite* .pytest_cache
