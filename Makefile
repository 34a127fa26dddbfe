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

.PHONY: run test test-pg fuzz install translations migrate seed lint format check bench clean

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

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL (CI's database by default).
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-pg: install
	TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

# Schemathesis over every operation with fresh random examples (the suite's are fixed).
FUZZ_EXAMPLES ?= 200
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_api_fuzz.py

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
