"""Database down, locked or out of connections: requests answer 503 with Retry-After and a
problem document (never 500), /readyz says not ready, and the same process serves again as
soon as the database is back, without a restart.

PostgreSQL is cut with a TCP proxy between the app and the shared server (tests/db_proxy.py);
SQLite is locked by another connection holding BEGIN EXCLUSIVE."""

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from app.core.config import Settings
from app.main import close_connections, create_app
from tests.conftest import POSTGRES_URL, make_settings
from tests.db_proxy import TcpProxy
from tests.helpers import PASSWORD, assert_problem, register, until

RETRY_AFTER = 7
on_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_POSTGRES_URL")
on_sqlite = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's file lock")


def unavailable(response: httpx.Response) -> None:
    problem = assert_problem(response, 503)
    assert problem["type"].endswith("/database-unavailable"), problem
    assert response.headers["retry-after"] == str(RETRY_AFTER)
    assert "Traceback" not in response.text


class Served:
    """A fresh app on `settings`, and a client of it."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://test"
        )

    async def close(self) -> None:
        await self.client.aclose()
        await close_connections(self.app)


@pytest.fixture
async def proxy(migrated: Settings) -> AsyncIterator[TcpProxy]:
    parts = urlsplit(migrated.database_url)
    async with TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432) as running:
        yield running


def through(proxy: TcpProxy, migrated: Settings, tmp_path: Path, **overrides: Any) -> Settings:
    parts = urlsplit(migrated.database_url)
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    proxied = urlunsplit(parts._replace(netloc=f"{userinfo}127.0.0.1:{proxy.port}"))
    return make_settings(proxied, tmp_path, retry_after_seconds=RETRY_AFTER, **overrides)


@pytest.fixture
async def served(proxy: TcpProxy, migrated: Settings, tmp_path: Path) -> AsyncIterator[Served]:
    server = Served(through(proxy, migrated, tmp_path, db_pool_size=4))
    yield server
    await server.close()


async def every_kind_of_request(
    client: httpx.AsyncClient, account: dict[str, Any], record: dict[str, Any], key: str
) -> list[httpx.Response]:
    headers = account["headers"]
    url = f"/v1/applications/{record['id']}"
    return [
        await client.get("/v1/applications", headers=headers),
        await client.get(url, headers=headers),
        await client.patch(url, json={"notes": "n"}, headers=headers),
        await client.post(
            "/v1/applications",
            json={"company": "Initech", "role_title": "Engineer"},
            headers={**headers, "Idempotency-Key": key},
        ),
        await client.get("/v1/me", headers=headers),
        await client.post(
            "/v1/auth/token", data={"username": account["email"], "password": PASSWORD}
        ),
    ]


@on_postgres
async def test_requests_answer_503_while_postgres_is_cut_and_succeed_once_it_is_back(
    served: Served, proxy: TcpProxy
) -> None:
    client = served.client
    account = await register(client)
    created = await client.post(
        "/v1/applications",
        json={"company": "Acme", "role_title": "Engineer"},
        headers=account["headers"],
    )
    assert created.status_code == 201
    key = str(uuid.uuid4())

    await proxy.cut()
    for response in await every_kind_of_request(client, account, created.json(), key):
        unavailable(response)
    not_ready = await client.get("/readyz")
    assert_problem(not_ready, 503)
    assert not_ready.headers["retry-after"] == str(RETRY_AFTER)
    assert (await client.get("/healthz")).status_code == 200

    await proxy.restore()
    answers = await every_kind_of_request(client, account, created.json(), key)
    assert [r.status_code for r in answers] == [200, 200, 200, 201, 200, 200]
    assert (await client.get("/readyz")).status_code == 200


@on_postgres
async def test_connections_the_server_dropped_while_idle_are_replaced_without_a_failure(
    served: Served, proxy: TcpProxy
) -> None:
    client = served.client
    account = await register(client)
    # Fill the pool with several connections at once, then leave them idle.
    paths = ["/v1/me", "/v1/applications"] * 4
    warm = await asyncio.gather(*(client.get(p, headers=account["headers"]) for p in paths))
    assert {r.status_code for r in warm} == {200}
    pool = await served.app.state.database.pool()
    assert pool.get_idle_size() >= 2

    await proxy.cut()  # an outage nobody asked anything during
    await until(lambda: pool.get_idle_size() == 0)  # every idle connection seen closed
    await proxy.restore()

    answers = await asyncio.gather(*(client.get(p, headers=account["headers"]) for p in paths))
    assert [r.status_code for r in answers] == [200] * len(paths)


@on_postgres
async def test_a_request_that_waits_too_long_for_a_connection_answers_503(
    proxy: TcpProxy, migrated: Settings, tmp_path: Path
) -> None:
    settings = through(proxy, migrated, tmp_path, db_pool_size=1, db_pool_timeout_seconds=0.2)
    server = Served(settings)
    try:
        account = await register(server.client)
        headers = account["headers"]
        pool = await server.app.state.database.pool()
        async with pool.acquire():  # the pool's only connection
            for path in ("/v1/me", "/v1/applications"):
                unavailable(await server.client.get(path, headers=headers))
        for path in ("/v1/me", "/v1/applications"):
            assert (await server.client.get(path, headers=headers)).status_code == 200
    finally:
        await server.close()


@pytest.fixture
async def locked_sqlite(migrated: Settings, tmp_path: Path) -> AsyncIterator[Served]:
    server = Served(
        make_settings(
            migrated.database_url, tmp_path, retry_after_seconds=RETRY_AFTER, db_busy_timeout_ms=50
        )
    )
    yield server
    await server.close()


@on_sqlite
async def test_writes_answer_503_while_sqlite_is_locked_and_succeed_once_it_is_released(
    locked_sqlite: Served, migrated: Settings
) -> None:
    client = locked_sqlite.client
    account = await register(client)
    path = migrated.database_url.removeprefix("sqlite:///")
    key = str(uuid.uuid4())
    body = {"company": "Acme", "role_title": "Engineer"}
    write_headers = {**account["headers"], "Idempotency-Key": key}

    locker = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        unavailable(await client.post("/v1/applications", json=body, headers=write_headers))
        unavailable(
            await client.patch("/v1/me", json={"weekly_goal": 3}, headers=account["headers"])
        )
        unavailable(
            await client.post(
                "/v1/auth/register", json={"email": "late@example.com", "password": PASSWORD}
            )
        )
        # Readers are not blocked by a writer (WAL).
        listed = await client.get("/v1/applications", headers=account["headers"])
        assert listed.status_code == 200
        assert listed.json()["items"] == []
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    created = await client.post("/v1/applications", json=body, headers=write_headers)
    assert created.status_code == 201, created.text
    again = await client.post("/v1/applications", json=body, headers=write_headers)
    assert again.status_code == 201
    assert again.json()["id"] == created.json()["id"]
    listed = await client.get("/v1/applications", headers=account["headers"])
    assert [item["id"] for item in listed.json()["items"]] == [created.json()["id"]]
