"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when TEST_POSTGRES_URL is
set), emptied before every test, and an HTTP client against the ASGI app."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from alembic.config import Config
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import text

from alembic import command
from app.auth import passwords
from app.core.config import Settings
from app.main import create_app
from app.tables import metadata
from tests.secret_scanner import ResponseScanner

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'rebound.db'}"
        return
    # A database of our own per run, so concurrent runs never collide.
    name = f"rebound_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    assert POSTGRES_URL is not None
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def make_settings(database_url: str, tmp: Path, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        database_url=database_url,
        secret_key="test-secret-" + "k" * 40,
        var_dir=tmp,
        **overrides,
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
    original = passwords.password_hash
    passwords.password_hash = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=64),))
    yield
    passwords.password_hash = original


@pytest.fixture(scope="session")
async def app(migrated: Settings) -> AsyncIterator[Any]:
    application = create_app(migrated)
    yield application
    await application.state.engine.dispose()


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
    """The client every HTTP test uses; it fails the test whose response shows a secret."""
    scanner = ResponseScanner(app.state.settings.secret)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", event_hooks={"response": [scanner]}
    ) as http:
        yield http
    async with app.state.engine.connect() as connection:
        stored = await connection.execute(
            text("SELECT password_hash FROM users UNION ALL SELECT token_hash FROM refresh_tokens")
        )
        scanner.check_stored(row[0] for row in stored)
