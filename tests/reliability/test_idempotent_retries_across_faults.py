"""A keyed write cut off by a database fault: its retry learns the truth. Either the write and
its stored answer were committed together (the retry replays them: one record) or neither was
(the retry runs afresh: one record), and the key is never left blocked by a reservation of a
request that is gone."""

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from app.core.config import Settings
from app.core.unavailable import DatabaseUnreachable
from tests.db_proxy import TcpProxy
from tests.helpers import assert_problem, register
from tests.reliability.test_database_outage import (
    RETRY_AFTER,
    Served,
    on_postgres,
    proxy,  # noqa: F401 (a fixture)
    through,
)

BODY = {"company": "Initech", "role_title": "Engineer", "notes": "sent once"}


async def applications(served: Served, headers: dict[str, str]) -> list[dict[str, Any]]:
    listed = await served.client.get("/v1/applications", headers=headers)
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


@pytest.fixture
async def served(
    proxy: TcpProxy,  # noqa: F811
    migrated: Settings,
    tmp_path: Path,
) -> AsyncIterator[Served]:
    server = Served(through(proxy, migrated, tmp_path, db_pool_size=4))
    yield server
    await server.close()


@on_postgres
async def test_a_write_cut_off_before_its_commit_runs_afresh_on_retry(
    served: Served,
    proxy: TcpProxy,  # noqa: F811
) -> None:
    account = await register(served.client)
    headers = {**account["headers"], "Idempotency-Key": "cut-mid-request"}
    database = served.app.state.database

    def cut_at_the_insert(sql: str, _arguments: Sequence[Any]) -> None:
        if sql.lstrip().upper().startswith(("INSERT", "WITH")) and "applications" in sql:
            proxy.sever()  # the database is gone, mid-request, and stays gone for a while

    database.listeners.append(cut_at_the_insert)
    cut = await served.client.post("/v1/applications", json=BODY, headers=headers)
    database.listeners.remove(cut_at_the_insert)
    problem = assert_problem(cut, 503)
    assert cut.headers["retry-after"] == str(RETRY_AFTER), problem
    await proxy.restore()

    # At once, not two minutes later: nothing was reserved, nothing was written.
    retried = await served.client.post("/v1/applications", json=BODY, headers=headers)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    assert [item["id"] for item in await applications(served, account["headers"])] == [
        retried.json()["id"]
    ]
    again = await served.client.post("/v1/applications", json=BODY, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == retried.json()


@on_postgres
async def test_a_database_outage_mid_request_leaves_the_key_free(
    served: Served,
    proxy: TcpProxy,  # noqa: F811
) -> None:
    account = await register(served.client)
    headers = {**account["headers"], "Idempotency-Key": "outage"}
    await proxy.cut()
    down = await served.client.post("/v1/applications", json=BODY, headers=headers)
    assert_problem(down, 503)
    await proxy.restore()
    retried = await served.client.post("/v1/applications", json=BODY, headers=headers)
    assert retried.status_code == 201, retried.text
    assert len(await applications(served, account["headers"])) == 1


async def test_a_commit_whose_acknowledgement_was_lost_replays_the_committed_record(
    client: Any, app: Any
) -> None:
    """The commit reached the database, the answer did not reach the client (the connection
    dropped just after): the retry replays the record that was committed, never a second."""
    account = await register(client)
    headers = {**account["headers"], "Idempotency-Key": "lost-ack"}
    database = app.state.database
    begin = database.begin_request

    async def losing_the_acknowledgement() -> Any:
        request = await begin()
        commit = request.commit

        async def committed_then_cut() -> None:
            await commit()
            raise DatabaseUnreachable("ConnectionResetError")

        request.commit = committed_then_cut
        return request

    database.begin_request = losing_the_acknowledgement
    try:
        lost = await client.post("/v1/applications", json=BODY, headers=headers)
    finally:
        database.begin_request = begin
    assert_problem(lost, 503)

    retried = await client.post("/v1/applications", json=BODY, headers=headers)
    assert retried.status_code == 201, retried.text
    assert retried.headers["idempotent-replayed"] == "true"
    listed = await client.get("/v1/applications", headers=account["headers"])
    assert [item["id"] for item in listed.json()["items"]] == [retried.json()["id"]]


async def test_a_request_that_fails_undoes_its_writes_and_frees_its_key(
    client: Any, app: Any
) -> None:
    """A 5xx after the record was inserted: the insert is rolled back with the request's
    transaction, and the key is free for the retry."""
    account = await register(client)
    headers = {**account["headers"], "Idempotency-Key": "fails-late"}
    database = app.state.database
    begin = database.begin_request

    async def failing_at_the_end() -> Any:
        request = await begin()

        async def refused() -> None:
            await request.rollback()
            raise DatabaseUnreachable("ConnectionResetError")

        request.commit = refused
        return request

    database.begin_request = failing_at_the_end
    try:
        failed = await client.post("/v1/applications", json=BODY, headers=headers)
    finally:
        database.begin_request = begin
    assert_problem(failed, 503)
    listed = await client.get("/v1/applications", headers=account["headers"])
    assert listed.json()["items"] == []

    retried = await client.post("/v1/applications", json=BODY, headers=headers)
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
