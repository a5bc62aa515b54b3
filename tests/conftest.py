"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when TEST_POSTGRES_URL is
set), emptied before every test, and an HTTP client against the ASGI app."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from alembic.config import Config
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import text

from alembic import command
from app.auth import passwords
from app.core.config import Settings
from app.main import close_connections, create_app
from app.tables import metadata
from tests.openapi_validation import REPORT, OpenAPIResponseChecker
from tests.postgres_available import admin, create_database, drop_database
from tests.secret_scanner import ResponseScanner

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'rebound.db'}"
        return
    # A database of our own per run, so concurrent runs never collide; made through the
    # server's maintenance database, so the one POSTGRES_URL names need not exist.
    url = asyncio.run(create_database(POSTGRES_URL, "rebound_test"))
    try:
        yield url
    finally:
        asyncio.run(drop_database(POSTGRES_URL, url))


async def _admin(statement: str) -> None:
    """Run `statement` (CREATE or DROP DATABASE) on POSTGRES_URL's server."""
    assert POSTGRES_URL is not None
    await admin(POSTGRES_URL, statement)


# The suite signs in and writes far more than a person would: limits no test reaches unless
# it sets its own (tests/auth/test_rate_limits.py), counters in memory, mail to an outbox.
UNTHROTTLED: dict[str, Any] = {
    "redis_url": None,
    "smtp_host": None,
    "cors_origins": [],
    "trusted_proxies": [],
    "rate_limit_token_per_ip": "1000000/minute",
    "rate_limit_register_per_ip": "1000000/minute",
    "rate_limit_register_per_email": "1000000/minute",
    "rate_limit_password_reset_per_ip": "1000000/minute",
    "rate_limit_password_reset_per_email": "1000000/minute",
    "rate_limit_writes_per_user": "1000000/minute",
    "rate_limit_email_codes_per_user": "1000000/minute",
    "login_backoff_after": 1_000_000,
}


def make_settings(database_url: str, tmp: Path, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        database_url=database_url,
        var_dir=tmp,
        **{"secret_key": "test-secret-" + "k" * 40, **UNTHROTTLED, **overrides},
    )


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(database_url, tmp_path_factory.mktemp("var"))


def alembic_config(settings: Settings) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["settings"] = settings
    config.attributes["configure_logging"] = False
    return config


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Settings:
    command.upgrade(alembic_config(settings), "head")
    return settings


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Argon2id with tiny costs: the suite registers hundreds of users."""
    original = passwords.password_hash, passwords._seconds_per_hash
    passwords.password_hash = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=64),))
    # The expected wait starts from these hashes, not from the real one timed at import.
    passwords._seconds_per_hash = 0.0
    yield
    passwords.password_hash, passwords._seconds_per_hash = original


@pytest.fixture(scope="session")
async def app(migrated: Settings) -> AsyncIterator[Any]:
    application = create_app(migrated)
    yield application
    await close_connections(application)


@pytest.fixture(autouse=True)
async def clean_database(request: pytest.FixtureRequest) -> None:
    """Every test starts from empty tables (only for tests that use the app)."""
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    tables = [table.name for table in metadata.sorted_tables]
    async with application.state.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for name in reversed(tables):
                await connection.execute(text(f"DELETE FROM {name}"))  # noqa: S608


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The client every HTTP test uses; it fails the test whose response shows a secret or
    differs from openapi/openapi.json (tests/openapi_validation.py)."""
    scanner = ResponseScanner(app.state.settings.secret)
    transport = httpx.ASGITransport(app=app)
    hooks = {"response": [scanner, OpenAPIResponseChecker()]}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", event_hooks=hooks
    ) as http:
        yield http
    async with app.state.engine.connect() as connection:
        stored = await connection.execute(
            text("SELECT password_hash FROM users UNION ALL SELECT token_hash FROM refresh_tokens")
        )
        scanner.check_stored(row[0] for row in stored)


@pytest.fixture
async def app_with(
    app: Any, database_url: str, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """`app_with(**settings)`: another app on the test database (cleaned through `app`)."""
    made: list[Any] = []

    def make(**overrides: Any) -> Any:
        made.append(create_app(make_settings(database_url, tmp_path, **overrides)))
        return made[-1]

    yield make
    for application in made:
        await close_connections(application)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis at REDIS_URL (default 127.0.0.1:6379). Missing, it skips the test, except where
    CI says services are required (REQUIRE_POSTGRES=1 or REQUIRE_REDIS=1): then it fails."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL} ({type(exc).__name__})"
        if os.environ.get("REQUIRE_POSTGRES") == "1" or os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def redis_prefix() -> str:
    """Keys of one test run alone (Redis is shared with other runs and workers)."""
    return f"rebound-test-{uuid.uuid4().hex[:12]}:"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many responses of `client` were held to openapi/openapi.json, and which status codes
    their operations do not document (gaps of the document, listed rather than failed)."""
    if REPORT.validated or REPORT.skipped.total():
        terminalreporter.section("OpenAPI response validation")
        for line in REPORT.lines():
            terminalreporter.write_line(line)
