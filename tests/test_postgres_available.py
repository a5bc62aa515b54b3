"""The PostgreSQL run on a fresh server (issue 18, item 1): `TEST_POSTGRES_URL` may name a
database the server does not have, since the reachability check and each run's database go
through the server's maintenance database; "not reachable" is said only when nothing answers."""

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.conftest import POSTGRES_URL, ROOT
from tests.postgres_available import create_database, drop_database

# The server of the PostgreSQL run, or the Makefile's default when this is the SQLite run.
SERVER_URL = POSTGRES_URL or "postgresql://postgres@127.0.0.1:5432/test"


def _with(url: str, *, database: str | None = None, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        netloc = f"{user}@{netloc.rpartition('@')[2]}"
    path = f"/{database}" if database is not None else parts.path
    return urlunsplit(parts._replace(netloc=netloc, path=path))


def _check(url: str) -> subprocess.CompletedProcess[str]:
    """What `make test-postgres` runs first."""
    return subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "tests.postgres_available", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def server_url() -> str:
    """SERVER_URL when a server listens there; otherwise a skip (a failure where CI says
    PostgreSQL is required)."""
    parts = urlsplit(SERVER_URL)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 3).close()
    except OSError as exc:
        message = f"no PostgreSQL server listens at {parts.hostname}:{parts.port} ({exc})"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return SERVER_URL


@pytest.fixture
def absent_database_url(server_url: str) -> str:
    """A URL naming a database the server does not have."""
    return _with(server_url, database=f"rebound_absent_{uuid.uuid4().hex[:12]}")


def test_a_database_that_does_not_exist_is_no_reason_to_skip(absent_database_url):
    result = _check(absent_database_url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "not reachable" not in result.stdout


def test_the_run_database_is_created_on_the_server_of_a_url_naming_none(absent_database_url):
    async def story() -> None:
        created = await create_database(absent_database_url, "rebound_probe")
        try:
            connection = await asyncpg.connect(created, timeout=10)
            assert await connection.fetchval("SELECT current_database()") == (
                urlsplit(created).path.lstrip("/")
            )
            await connection.close()
        finally:
            await drop_database(absent_database_url, created)
        with pytest.raises(asyncpg.InvalidCatalogNameError):
            await asyncpg.connect(created, timeout=10)

    asyncio.run(story())


def test_a_server_that_refuses_the_user_is_not_called_unreachable(server_url):
    unknown_user = f"rebound_nobody_{uuid.uuid4().hex[:8]}"

    result = _check(_with(server_url, user=unknown_user))

    assert result.returncode == 2, result.stdout + result.stderr
    assert "not reachable" not in result.stdout
    assert unknown_user in result.stdout


def test_unreachable_is_said_when_nothing_answers():
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = _check(f"postgresql://postgres@127.0.0.1:{port}/test")

    assert result.returncode == 1
    assert f"not reachable at 127.0.0.1:{port}" in result.stdout
