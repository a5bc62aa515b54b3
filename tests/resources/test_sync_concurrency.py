"""Delta sync while others write: a client that keeps syncing with the token it was given
last ends up with exactly the server's data, and never sees a record go back in time, whether
it walks each list or the change feed (GET /v1/changes).

On PostgreSQL the writers really run at once, each request on its own connection; on SQLite
they are serialised by the database lock but still interleave with the syncing client."""

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.core.database import EngineDatabase, PostgresDatabase
from tests.helpers import register, transactions_under_way
from tests.resources.factories_sync import create_application, sync_token_of, walk

WRITERS, OPS_PER_WRITER = 8, 15
OTHER_USER_WRITERS = 2
MIRRORED = ("applications", "outcomes")
OUTCOME_KINDS = ("offer", "rejection", "on_hold", "withdrawn", "ghosted")


class Mirror:
    """What an offline-first client keeps: live records by id, fed only by delta sync: each
    list walked on its own, or (`feed=True`) the one change feed of every collection."""

    def __init__(
        self, client: httpx.AsyncClient, headers: dict[str, str], *, feed: bool = False
    ) -> None:
        self.client, self.headers, self.feed = client, headers, feed
        self.records: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in MIRRORED}
        self.tokens: dict[str, str] = {}
        self.last_seen: dict[str, int] = {}  # id -> highest version delivered so far
        self.tombstoned: set[str] = set()
        self.seen_ids: set[str] = set()
        self.regressions: list[str] = []
        self.rounds = 0

    async def start(self) -> None:
        if self.feed:
            changes, token = await walk_changes(self.client, self.headers)
            for change in changes:
                self.observe(change["collection"], change["record"])
            self.tokens["changes"] = token
            return
        for collection in MIRRORED:
            items, token, _ = await walk(self.client, self.headers, collection)
            for item in items:
                self.observe(collection, item)
            self.tokens[collection] = token

    def observe(self, collection: str, item: dict[str, Any]) -> None:
        record_id, version = item["id"], item["version"]
        self.seen_ids.add(record_id)
        previous = self.last_seen.get(record_id)
        if previous is not None and version < previous:
            self.regressions.append(f"{collection} {record_id}: v{previous} then v{version}")
        if record_id in self.tombstoned and item["deleted_at"] is None:
            self.regressions.append(f"{collection} {record_id}: live again after its tombstone")
        self.last_seen[record_id] = max(version, previous or 0)
        if item["deleted_at"] is not None:
            self.tombstoned.add(record_id)
            self.records[collection].pop(record_id, None)
        elif previous is None or version >= previous:
            self.records.setdefault(collection, {})[record_id] = item

    async def sync(self, limit: int = 7) -> None:
        """One round: every page of the delta since the last token, then the new token."""
        if self.feed:
            changes, self.tokens["changes"] = await walk_changes(
                self.client, self.headers, self.tokens["changes"], limit
            )
            for change in changes:
                self.observe(change["collection"], change["record"])
            self.rounds += 1
            return
        for collection in MIRRORED:
            params: dict[str, Any] = {"updated_since": self.tokens[collection], "limit": limit}
            for _ in range(10_000):
                response = await self.client.get(
                    f"/v1/{collection}", params=params, headers=self.headers
                )
                assert response.status_code == 200, response.text
                page = response.json()
                for item in page["items"]:
                    self.observe(collection, item)
                if page["next_cursor"] is None:
                    self.tokens[collection] = page["sync_token"]
                    break
                params["cursor"] = page["next_cursor"]
        self.rounds += 1

    def versions(self, collection: str) -> dict[str, int]:
        return {rid: item["version"] for rid, item in self.records[collection].items()}


async def walk_changes(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    updated_since: str | None = None,
    limit: int = 200,
) -> tuple[list[dict[str, Any]], str]:
    """Every page of GET /v1/changes: (the changes, the last page's sync_token)."""
    params: dict[str, Any] = {"limit": limit}
    if updated_since is not None:
        params["updated_since"] = updated_since
    changes: list[dict[str, Any]] = []
    for _ in range(10_000):
        response = await client.get("/v1/changes", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        changes.extend(page["items"])
        if page["next_cursor"] is None:
            return changes, page["sync_token"]
        params["cursor"] = page["next_cursor"]
    raise AssertionError("the cursor never ends")


async def live_versions(
    client: httpx.AsyncClient, headers: dict[str, str], collection: str
) -> dict[str, int]:
    items, _, _ = await walk(client, headers, collection)
    return {item["id"]: item["version"] for item in items}


class Writer:
    """Random creates, edits, deletes and outcomes against a shared pool of applications."""

    # An outcome of an application another writer just deleted: 422 naming application_id.
    EXPECTED = {"POST": {201, 422}, "PATCH": {200, 404}, "DELETE": {204, 404}}

    def __init__(
        self,
        client: httpx.AsyncClient,
        headers: dict[str, str],
        pool: list[str],
        outcomes: list[str],
        seed: int,
    ) -> None:
        self.client, self.headers = client, headers
        self.pool, self.outcomes = pool, outcomes
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible mix of operations
        self.seed = seed
        self.unexpected: list[str] = []

    async def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.request(method, url, headers=self.headers, **kwargs)
        if response.status_code not in self.EXPECTED[method]:
            self.unexpected.append(f"{method} {url}: {response.status_code} {response.text}")
        return response

    async def run(self, ops: int) -> None:
        actions: list[Callable[[int], Awaitable[None]]] = [
            self.create,
            self.create,
            self.edit,
            self.edit,
            self.edit,
            self.delete,
            self.record_outcome,
            self.record_outcome,
            self.delete_outcome,
        ]
        for n in range(ops):
            await self.rng.choice(actions)(n)

    def pick(self, ids: list[str]) -> str | None:
        return self.rng.choice(ids) if ids else None

    async def create(self, n: int) -> None:
        response = await self.call(
            "POST",
            "/v1/applications",
            json={"company": f"W{self.seed} {n}", "role_title": "Engineer", "tags": ["w"]},
        )
        if response.status_code == 201:
            self.pool.append(response.json()["id"])

    async def edit(self, n: int) -> None:
        if (target := self.pick(self.pool)) is not None:
            change = self.rng.choice(
                [{"notes": f"w{self.seed}-{n}"}, {"interest": 1 + n % 5}, {"stage": "screening"}]
            )
            await self.call("PATCH", f"/v1/applications/{target}", json=change)

    async def delete(self, _n: int) -> None:
        if (target := self.pick(self.pool)) is not None:
            await self.call("DELETE", f"/v1/applications/{target}")

    async def record_outcome(self, n: int) -> None:
        """Several writes in one request: the outcome, the application's stage, its timeline."""
        if (target := self.pick(self.pool)) is not None:
            response = await self.call(
                "POST",
                "/v1/outcomes",
                json={
                    "application_id": target,
                    "kind": OUTCOME_KINDS[(self.seed + n) % len(OUTCOME_KINDS)],
                    "received_on": "2026-05-01",
                },
            )
            if response.status_code == 201:
                self.outcomes.append(response.json()["id"])

    async def delete_outcome(self, _n: int) -> None:
        """Also several writes: the tombstone, and the stage move reverted."""
        if (target := self.pick(self.outcomes)) is not None:
            await self.call("DELETE", f"/v1/outcomes/{target}")


async def test_a_client_syncing_during_concurrent_writes_mirrors_exactly(client, app):
    alice = await register(client)
    bob = await register(client)
    pool = [(await create_application(client, alice["headers"], n))["id"] for n in range(10)]
    bob_pool = [(await create_application(client, bob["headers"], n))["id"] for n in range(3)]
    outcomes: list[str] = []
    bob_outcomes: list[str] = []

    mirror = Mirror(client, alice["headers"])
    await mirror.start()
    feed = Mirror(client, alice["headers"], feed=True)
    await feed.start()
    writers = [Writer(client, alice["headers"], pool, outcomes, seed) for seed in range(WRITERS)]
    others = [
        Writer(client, bob["headers"], bob_pool, bob_outcomes, 100 + seed)
        for seed in range(OTHER_USER_WRITERS)
    ]
    done = asyncio.Event()
    rounds_during_writes = 0

    async def write_all() -> None:
        try:
            await asyncio.gather(*(writer.run(OPS_PER_WRITER) for writer in writers + others))
        finally:
            done.set()

    async def keep_syncing() -> None:
        nonlocal rounds_during_writes
        while not done.is_set():
            await asyncio.gather(mirror.sync(), feed.sync())
            rounds_during_writes += 1

    with transactions_under_way(app) as gauge:
        await asyncio.gather(write_all(), keep_syncing())
    # The clients' next sync after the writers stopped.
    await mirror.sync()
    await feed.sync()

    unexpected = [line for writer in writers + others for line in writer.unexpected]
    assert unexpected == [], unexpected
    full, _, _ = await walk(client, alice["headers"], "applications")
    for client_mirror in (mirror, feed):
        assert client_mirror.regressions == [], client_mirror.regressions
        for collection in MIRRORED:
            server = await live_versions(client, alice["headers"], collection)
            assert client_mirror.versions(collection) == server, collection
        # The mirror's contents are the server's, field for field.
        assert {item["id"]: item for item in full} == client_mirror.records["applications"]
        # Bob's records never reached Alice's client, not even as tombstones.
        assert client_mirror.seen_ids.isdisjoint(bob_pool + bob_outcomes)
    assert feed.records.keys() == set(MIRRORED)  # nothing else was written
    # The writes actually happened, and the client synced while they did.
    assert len(pool) > 10 and outcomes and mirror.tombstoned
    assert rounds_during_writes >= 2 and gauge["most"] >= 3, (rounds_during_writes, gauge)


async def test_changes_between_two_pages_are_not_lost(client):
    """A record delivered on page 1 and changed before page 2 comes again, newer; a record
    not reached yet and changed meanwhile moves ahead but still comes."""
    user = await register(client)
    h = user["headers"]
    records = [await create_application(client, h, n) for n in range(6)]
    token = await sync_token_of(client, h, "applications")
    for record in records:
        r = await client.patch(f"/v1/applications/{record['id']}", json={"notes": "1"}, headers=h)
        assert r.status_code == 200, r.text

    page = (
        await client.get("/v1/applications", params={"updated_since": token, "limit": 2}, headers=h)
    ).json()
    assert [item["id"] for item in page["items"]] == [records[0]["id"], records[1]["id"]]
    for record in (records[3], records[0]):  # one not reached yet, one already delivered
        r = await client.patch(f"/v1/applications/{record['id']}", json={"notes": "2"}, headers=h)
        assert r.status_code == 200, r.text

    delivered = list(page["items"])
    params = {"updated_since": token, "limit": 2, "cursor": page["next_cursor"]}
    while params["cursor"] is not None:
        page = (await client.get("/v1/applications", params=params, headers=h)).json()
        delivered.extend(page["items"])
        params["cursor"] = page["next_cursor"]
    delivered.extend((await walk(client, h, "applications", updated_since=page["sync_token"]))[0])

    latest: dict[str, int] = {}
    for item in delivered:
        assert item["version"] >= latest.get(item["id"], 0)
        latest[item["id"]] = item["version"]
    assert latest == await live_versions(client, h, "applications")
    assert latest[records[0]["id"]] == 3 and latest[records[3]["id"]] == 3


async def test_the_token_covers_exactly_what_was_written_after_it(client):
    user = await register(client)
    h = user["headers"]
    before = [await create_application(client, h, n) for n in range(3)]
    token = await sync_token_of(client, h, "applications")
    after = [await create_application(client, h, 10 + n) for n in range(3)]

    items, _, _ = await walk(client, h, "applications", updated_since=token)
    assert [item["id"] for item in items] == [record["id"] for record in after]
    assert not {record["id"] for record in before} & {item["id"] for item in items}


def is_applications_list(sql: str) -> bool:
    return "FROM applications" in sql and "_k0" in sql


class ListHook:
    """Run `action` once, right before or right after the list query of one request (or the
    statement `matches` picks)."""

    def __init__(self, when: str, matches: Callable[[str], bool] = is_applications_list) -> None:
        self.when, self.matches = when, matches
        self.action: Callable[[], Awaitable[None]] | None = None

    def install(self, monkeypatch: Any) -> None:
        # Every way a query can run (ORM session, Core connection, the app's Database).
        for owner in (AsyncSession, AsyncConnection, EngineDatabase, PostgresDatabase):
            method = "rows" if owner in (EngineDatabase, PostgresDatabase) else "execute"
            monkeypatch.setattr(owner, method, self._wrap(getattr(owner, method)))

    async def run_once(self) -> None:
        action, self.action = self.action, None
        if action is not None:
            await action()

    def _wrap(self, original: Any) -> Any:
        hook = self

        async def execute(runner: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
            sql = str(statement)
            is_list = hook.matches(sql)
            if is_list and hook.when == "before":
                await hook.run_once()
            result = await original(runner, statement, *args, **kwargs)
            if is_list and hook.when == "after":
                await hook.run_once()  # the innermost wrapper of nested ones runs it
            return result

        return execute


async def test_a_write_committed_while_a_page_is_read_comes_in_the_next_sync(client, monkeypatch):
    """The token must come from the sequence read *before* the page: a write that commits
    after the page was read but before the response is sent is in the next delta."""
    user = await register(client)
    h = user["headers"]
    await create_application(client, h, 1)
    token = await sync_token_of(client, h, "applications")
    late: list[str] = []

    async def write_concurrently() -> None:
        late.append((await create_application(client, h, 2))["id"])

    hook = ListHook("after")
    hook.install(monkeypatch)
    hook.action = write_concurrently
    response = await client.get("/v1/applications", params={"updated_since": token}, headers=h)
    assert response.status_code == 200, response.text
    assert hook.action is None and len(late) == 1, "the hook never ran"
    page = response.json()
    assert page["items"] == []  # the page was read before the write committed

    items, _, _ = await walk(client, h, "applications", updated_since=page["sync_token"])
    assert [item["id"] for item in items] == late


async def test_a_write_committed_before_the_page_is_read_is_never_lost(client, monkeypatch):
    """A write committed just before the page is read is in the page, and the token read in
    the same statement covers it: the next delta does not repeat it."""
    user = await register(client)
    h = user["headers"]
    token = await sync_token_of(client, h, "applications")
    early: list[str] = []

    async def write_concurrently() -> None:
        early.append((await create_application(client, h, 2))["id"])

    hook = ListHook("before")
    hook.install(monkeypatch)
    hook.action = write_concurrently
    response = await client.get("/v1/applications", params={"updated_since": token}, headers=h)
    assert response.status_code == 200, response.text
    assert hook.action is None and len(early) == 1, "the hook never ran"
    page = response.json()
    assert [item["id"] for item in page["items"]] == early

    items, _, _ = await walk(client, h, "applications", updated_since=page["sync_token"])
    assert items == []  # delivered exactly once: never skipped, not repeated
