# Rebound — `make run` serves the API, `make test` runs the suite (SQLite, then PostgreSQL).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test test-sqlite test-postgres lint format openapi bench clean

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/alembic upgrade head
	$(BIN)/python -m app.main

test: test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest -q

# Runs against PostgreSQL when it answers; REQUIRE_POSTGRES=1 (set by CI) turns a skip into a failure.
test-postgres: install
	@if $(BIN)/python -m tests.postgres_available "$(TEST_POSTGRES_URL)"; then \
		TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(BIN)/pytest -q; \
	elif [ "$$REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required but not reachable at $(TEST_POSTGRES_URL)"; exit 1; \
	else \
		echo "PostgreSQL not reachable at $(TEST_POSTGRES_URL): skipped the PostgreSQL run (SQLite passed)."; \
	fi

lint: install
	$(BIN)/ruff format --check app tests alembic
	$(BIN)/ruff check app tests alembic
	$(BIN)/mypy app

format: install
	$(BIN)/ruff format app tests alembic
	$(BIN)/ruff check --fix app tests alembic

openapi: install
	$(BIN)/python -m app.openapi_export openapi/openapi.json

bench: install
	$(BIN)/python -m tests.bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
