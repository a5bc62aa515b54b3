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

# SQLite even when TEST_POSTGRES_URL is in the environment (CI exports it).
test-sqlite: install
	TEST_POSTGRES_URL= $(BIN)/pytest -q

# On the PostgreSQL server of TEST_POSTGRES_URL, whose database need not exist: the run creates
# its own through the server's `postgres` database (tests/postgres_available.py says what it
# found). REQUIRE_POSTGRES=1 (set by CI) turns a skip into a failure.
test-postgres: install
	@if $(BIN)/python -m tests.postgres_available "$(TEST_POSTGRES_URL)"; then \
		TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(BIN)/pytest -q; \
	elif [ "$$REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required here (REQUIRE_POSTGRES=1): failed."; exit 1; \
	else \
		echo "Skipped the PostgreSQL run: $(if $(filter test,$(MAKECMDGOALS)),only the SQLite run ran (and passed).,nothing ran.)"; \
	fi

# The folders `lint` checks.
LINTED := app tests alembic examples tools

lint: install
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy app examples tools/audit_lock.py

format: install
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

openapi: install
	$(BIN)/python -m app.openapi_export openapi/openapi.json

bench: install
	$(BIN)/python -m tests.bench.run $(ARGS)

# Not in CI: the real server on PostgreSQL under mixed load for SOAK_SECONDS (default 600), RSS
# sampled every 10 s; fails on any error or RSS growth over 20% after warm-up (tests/soak/run.py).
.PHONY: soak
soak: install
	TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m tests.soak.run

# Schemathesis against a live server (fresh SQLite database, free port): every operation,
# authenticated, every check, phases examples, coverage, fuzzing and stateful. Tune with
# CONTRACT_MAX_EXAMPLES, CONTRACT_WORKERS, CONTRACT_SEED (see tests/contract/run_schemathesis.py).
.PHONY: contract
contract: install
	$(BIN)/python -m tests.contract.run_schemathesis

# Redocly CLI, pinned in tools/openapi-lint, on openapi/openapi.json: no errors, no warnings.
OPENAPI_LINT := tools/openapi-lint
OPENAPI_LINT_STAMP := $(OPENAPI_LINT)/node_modules/.installed-$(shell cksum < $(OPENAPI_LINT)/package-lock.json | cut -d' ' -f1)

.PHONY: lint-openapi
$(OPENAPI_LINT_STAMP): $(OPENAPI_LINT)/package-lock.json
	cd $(OPENAPI_LINT) && npm ci --no-audit --no-fund
	touch $(OPENAPI_LINT_STAMP)

lint-openapi: $(OPENAPI_LINT_STAMP)
	cd $(OPENAPI_LINT) && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npm run --silent lint

# The TypeScript client in clients/typescript: openapi-typescript types + openapi-fetch calls, as
# a React Native app builds them from openapi/openapi.json. Needs node 20+ and npm.
CLIENT_TS := clients/typescript
CLIENT_TS_STAMP := $(CLIENT_TS)/node_modules/.installed-$(shell cksum < $(CLIENT_TS)/package-lock.json | cut -d' ' -f1)

.PHONY: client-ts client-ts-generate client-ts-scenario

$(CLIENT_TS_STAMP): $(CLIENT_TS)/package-lock.json
	cd $(CLIENT_TS) && npm ci --no-audit --no-fund
	touch $(CLIENT_TS_STAMP)

# The committed types match openapi/openapi.json, and the client type-checks against them.
client-ts: $(CLIENT_TS_STAMP)
	@cd $(CLIENT_TS) && npm run --silent check:generated || { \
		echo "$(CLIENT_TS)/src/schema.d.ts is stale: run 'make client-ts-generate', then 'make client-ts'"; exit 1; }
	cd $(CLIENT_TS) && npm run --silent typecheck

# Rewrites src/schema.d.ts from openapi/openapi.json (after `make openapi`).
client-ts-generate: $(CLIENT_TS_STAMP)
	cd $(CLIENT_TS) && npm run --silent generate

# The client's scenario against a live server (fresh SQLite database, free port).
client-ts-scenario: install $(CLIENT_TS_STAMP)
	$(BIN)/python -m tests.live_server npm --prefix $(CLIENT_TS) run --silent scenario

# Swagger UI (/docs) and ReDoc (/redoc) in a real browser: Debian's chromium, driven by
# Playwright from requirements.lock (never `playwright install`: it downloads a browser).
# Installs chromium with apt-get (as root, like CI) when it is missing.
CHROMIUM := /usr/bin/chromium

.PHONY: browser-test

browser-test: install
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "$(CHROMIUM) is missing: installing Debian's chromium"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	fi
	$(BIN)/pytest -q -m browser tests/browser

# Known vulnerabilities in every package requirements.lock pins (tools/audit_lock.py: pip-audit
# where the index's per-release feed answers, else the same advisories per project).
# CVE-2024-23342 (ecdsa, Minerva timing attack on ECDSA signing, no fix released): ecdsa comes
# with python-jose, and Rebound signs and verifies HS256 only, never ECDSA.
AUDIT_IGNORED := CVE-2024-23342

.PHONY: audit
audit: install
	$(BIN)/python tools/audit_lock.py requirements.lock $(addprefix --ignore-vuln ,$(AUDIT_IGNORED))

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
