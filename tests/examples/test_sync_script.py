"""examples/sync.py against a live server: it walks the change feed (one request per page for
every collection); the mirror equals the server after a first run and after changes; a run cut
off by the network resumes where it stopped; a dead access token is
refreshed; 429/503 and network errors are retried, Retry-After honoured."""

import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import PASSWORD
from tests.live_server import ROOT, live_server

SCRIPT = ROOT / "examples" / "sync.py"
_spec = importlib.util.spec_from_file_location("rebound_sync_example", SCRIPT)
assert _spec is not None and _spec.loader is not None
sync_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_script)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server() as url:
        yield url


class Account:
    """A user of the live server, arranged over HTTP like any client."""

    def __init__(self, url: str) -> None:
        self.email = f"sync-{uuid.uuid4().hex[:8]}@example.com"
        self.http = httpx.Client(base_url=url, timeout=30)
        response = self.http.post(
            "/v1/auth/register", json={"email": self.email, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        tokens = response.json()["tokens"]
        self.refresh_token = tokens["refresh_token"]
        self.http.headers["Authorization"] = f"Bearer {tokens['access_token']}"

    def create(self, collection: str, **body: Any) -> dict[str, Any]:
        response = self.http.post(f"/v1/{collection}", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def collections(self) -> list[str]:
        """Every list with delta sync, as the server documents it."""
        paths = self.http.get("/openapi.json").json()["paths"]
        return [
            path.removeprefix("/v1/")
            for path, item in paths.items()
            if path != "/v1/changes"
            and any(p["name"] == "updated_since" for p in item.get("get", {}).get("parameters", []))
        ]

    def lists(self) -> dict[str, dict[str, Any]]:
        """Every live record per collection that has any, read with the plain list."""
        state: dict[str, dict[str, Any]] = {}
        for collection in self.collections():
            state[collection] = {}
            params: dict[str, Any] = {"limit": 200}
            while True:
                page = self.http.get(f"/v1/{collection}", params=params).json()
                state[collection] |= {item["id"]: item for item in page["items"]}
                if page["next_cursor"] is None:
                    break
                params["cursor"] = page["next_cursor"]
        return {collection: records for collection, records in state.items() if records}


def mirrored(db: Path, deleted: bool = False) -> dict[str, dict[str, Any]]:
    """The mirror's live (or deleted) records per collection that has any, as the API gave
    them."""
    connection = sqlite3.connect(db)
    try:
        state = {}
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'"
        )
        for (table,) in tables.fetchall():
            rows = connection.execute(
                f'SELECT id, json FROM "{table}" WHERE deleted = ?',  # noqa: S608
                (int(deleted),),
            )
            records = {row[0]: json.loads(row[1]) for row in rows}
            if records:
                state[table.replace("_", "-")] = records
        return state
    finally:
        connection.close()


def meta(db: Path, key: str) -> str | None:
    connection = sqlite3.connect(db)
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]
    finally:
        connection.close()


def seed(account: Account, applications: int = 3) -> list[dict[str, Any]]:
    created = [
        account.create("applications", company=f"Company {n}", role_title="Engineer")
        for n in range(applications)
    ]
    first = created[0]["id"]
    account.create("interviews", application_id=first, kind="technical")
    outcome = account.create(
        "outcomes", application_id=first, kind="rejection", received_on="2026-10-20"
    )
    account.create(
        "feedback-conversations", application_id=first, outcome_id=outcome["id"], contact_name="Al"
    )
    account.create("reflections", outcome_id=outcome["id"], mood=5)
    if "contacts" in account.collections():
        account.create("contacts", name="Dana", application_ids=[first])
    return created


def run_script(url: str, db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, str(SCRIPT), "--url", url, "--db", str(db), *args],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("REBOUND_")},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


class Recorder(httpx.BaseTransport):
    """Passes requests to the server, recording them; `fail(request)` may raise instead."""

    def __init__(self, fail: Callable[[httpx.Request, int], None] | None = None) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []
        self.fail = fail

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail is not None:
            self.fail(request, len(self.requests))
        return self.inner.handle_request(request)

    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]


def run_in_process(
    url: str, db: Path, transport: httpx.BaseTransport, **options: Any
) -> tuple[dict[str, int], list[float], list[str]]:
    """sync() with no real waiting: returns (received, the waits asked for, the log)."""
    waits: list[float] = []
    lines: list[str] = []
    with httpx.Client(base_url=url, transport=transport) as client:
        received = sync_script.sync(
            client, db, sleep=waits.append, log=lines.append, **{"max_retries": 3, **options}
        )
    return received, waits, lines


def test_the_mirror_equals_the_server_after_the_first_run_and_after_changes(server, tmp_path):
    account = Account(server)
    applications = seed(account)
    db = tmp_path / "mirror.sqlite"

    first = run_script(
        server, db, "--page-size", "2", REBOUND_EMAIL=account.email, REBOUND_PASSWORD=PASSWORD
    )

    assert first.returncode == 0, first.stderr
    live = sum(len(records) for records in account.lists().values())
    # One walk of the feed for every collection, a page at a time.
    assert "changes: 2 records so far (full read)" in first.stderr
    assert f"changes: {live} records so far (full read)" in first.stderr
    assert "applications: 3 live, 0 deleted (3 received this run)" in first.stderr
    assert mirrored(db) == account.lists()
    assert mirrored(db, deleted=True) == {}

    kept, gone = applications[0], applications[1]
    account.http.patch(f"/v1/applications/{kept['id']}", json={"notes": "Called back."})
    assert account.http.delete(f"/v1/applications/{gone['id']}").status_code == 204
    doomed = account.create("applications", company="Brief", role_title="Temp")
    panel = account.create("interviews", application_id=doomed["id"], kind="panel")
    assert account.http.delete(f"/v1/applications/{doomed['id']}").status_code == 204
    account.create("applications", company="New", role_title="Engineer")

    second = run_script(server, db, "--page-size", "2")  # no password: the saved session

    assert second.returncode == 0, second.stderr
    assert "(changes since the last sync)" in second.stderr
    assert "signed in" not in second.stderr
    assert mirrored(db) == account.lists()
    tombstones = mirrored(db, deleted=True)
    assert set(tombstones["applications"]) == {gone["id"], doomed["id"]}
    assert all(item["deleted_at"] for items in tombstones.values() for item in items.values())
    assert set(tombstones["interviews"]) == {panel["id"]}  # the delete's cascade, mirrored
    assert mirrored(db)["applications"][kept["id"]]["notes"] == "Called back."


def test_a_run_cut_off_by_the_network_resumes_where_it_stopped(server, tmp_path):
    account = Account(server)
    for n in range(7):
        account.create("applications", company=f"Company {n}", role_title="Engineer")
    db = tmp_path / "mirror.sqlite"

    def network_down_after_two_pages(request: httpx.Request, count: int) -> None:
        # 1 sign-in, 2-3 two pages of the change feed, then nothing.
        if count > 3:
            raise httpx.ConnectError("network unreachable", request=request)

    cut = Recorder(network_down_after_two_pages)
    with pytest.raises(sync_script.SyncError, match="network error"):
        run_in_process(
            server, db, cut, email=account.email, password=PASSWORD, page_size=2, max_retries=2
        )

    assert len(mirrored(db)["applications"]) == 4
    token, cursor = meta(db, "sync_token"), meta(db, "cursor")
    assert token is None and cursor is not None  # the place kept, the walk not finished

    again = Recorder()
    received, waits, lines = run_in_process(server, db, again, page_size=2)

    pages = [r for r in again.requests if r.url.path == "/v1/changes"]
    assert len(pages) == 2 and pages[0].url.params["cursor"] == cursor  # not from the start
    assert "resuming an unfinished read" in lines
    assert received["applications"] == 3 and waits == []
    assert mirrored(db) == account.lists()


def test_an_invalid_access_token_is_refreshed_with_the_saved_refresh_token(server, tmp_path):
    account = Account(server)
    account.create("applications", company="Before", role_title="Engineer")
    db = tmp_path / "mirror.sqlite"
    run_in_process(server, db, Recorder(), email=account.email, password=PASSWORD)
    old_refresh = meta(db, "refresh_token")
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("UPDATE meta SET value = 'not-a-token' WHERE key = 'access_token'")
    connection.close()
    late = account.create("applications", company="After", role_title="Engineer")

    transport = Recorder()
    _, _, lines = run_in_process(server, db, transport)  # no password given

    assert transport.paths().count("/v1/auth/refresh") == 1
    assert "/v1/auth/token" not in transport.paths()
    assert "access token refreshed" in lines
    assert meta(db, "refresh_token") != old_refresh and meta(db, "access_token") != "not-a-token"
    assert late["id"] in mirrored(db)["applications"]
    assert mirrored(db) == account.lists()


def test_a_revoked_session_signs_in_again_when_the_password_is_given(server, tmp_path):
    account = Account(server)
    db = tmp_path / "mirror.sqlite"
    run_in_process(server, db, Recorder(), email=account.email, password=PASSWORD)
    response = account.http.post(
        "/v1/auth/logout", json={"refresh_token": meta(db, "refresh_token")}
    )
    assert response.status_code == 204
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("UPDATE meta SET value = 'not-a-token' WHERE key = 'access_token'")
    connection.close()
    with pytest.raises(sync_script.SyncError, match="not signed in"):
        run_in_process(server, db, Recorder())

    transport = Recorder()
    run_in_process(server, db, transport, email=account.email, password=PASSWORD)

    assert transport.paths()[:4] == [
        "/v1/changes",
        "/v1/auth/refresh",
        "/v1/auth/token",
        "/v1/changes",
    ]


@pytest.mark.parametrize("status", [429, 503])
def test_a_busy_server_is_retried_after_its_retry_after(server, tmp_path, status):
    account = Account(server)
    account.create("applications", company="Acme", role_title="Engineer")
    db = tmp_path / "mirror.sqlite"
    real = httpx.HTTPTransport()
    refused: list[str] = []

    def busy_once(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/changes" and not refused:
            refused.append(request.url.path)
            return httpx.Response(
                status,
                headers={"Retry-After": "7", "Content-Type": "application/problem+json"},
                json={"type": "about:blank", "title": "Busy", "status": status, "detail": "Busy"},
            )
        return real.handle_request(request)

    received, waits, lines = run_in_process(
        server, db, httpx.MockTransport(busy_once), email=account.email, password=PASSWORD
    )

    assert refused == ["/v1/changes"]
    assert waits == [7.0]
    assert f"server answered {status}; retrying in 7.0 s" in lines
    assert received["applications"] == 1
    assert mirrored(db) == account.lists()


def test_a_network_error_is_retried_with_backoff(server, tmp_path):
    account = Account(server)
    account.create("applications", company="Acme", role_title="Engineer")
    db = tmp_path / "mirror.sqlite"

    def drop_the_first_list(request: httpx.Request, count: int) -> None:
        if request.url.path == "/v1/changes" and "cursor" not in request.url.params:
            if sum(r.url.path == "/v1/changes" for r in transport.requests) == 1:
                raise httpx.ReadTimeout("timed out", request=request)

    transport = Recorder(drop_the_first_list)
    received, waits, _ = run_in_process(
        server, db, transport, email=account.email, password=PASSWORD
    )

    assert len(waits) == 1 and 0.25 <= waits[0] <= 0.5  # first backoff: 0.5 s, half jittered
    assert received["applications"] == 1
    assert mirrored(db) == account.lists()


def test_a_mirror_refuses_another_server_or_account(server, tmp_path):
    account = Account(server)
    db = tmp_path / "mirror.sqlite"
    run_in_process(server, db, Recorder(), email=account.email, password=PASSWORD)

    with pytest.raises(sync_script.SyncError, match="use another --db"):
        run_in_process(server, db, Recorder(), email="someone-else@example.com", password="x")
    with pytest.raises(sync_script.SyncError, match="use another --db"):
        run_in_process("http://127.0.0.1:9", db, Recorder())


def test_the_script_fails_cleanly_without_credentials(server, tmp_path):
    result = run_script(server, tmp_path / "mirror.sqlite")

    assert result.returncode == 1
    assert "not signed in" in result.stderr and "Traceback" not in result.stderr


def test_retry_delays_honour_retry_after_and_stay_capped():
    cap = sync_script.BACKOFF_CAP_SECONDS
    assert sync_script.retry_delay(0, "3") == 3.0
    assert sync_script.retry_delay(0, "100000") == cap
    assert sync_script.retry_delay(0, "Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    for attempt in range(20):
        delay = sync_script.retry_delay(attempt, "soon")  # unreadable: ordinary backoff
        ceiling = min(cap, sync_script.BACKOFF_BASE_SECONDS * 2**attempt)
        assert ceiling / 2 <= delay <= ceiling


def test_one_request_per_page_reads_every_collection(server, tmp_path):
    account = Account(server)
    seed(account)  # a record or more in every collection
    db = tmp_path / "mirror.sqlite"

    transport = Recorder()
    received, _, _ = run_in_process(
        server, db, transport, email=account.email, password=PASSWORD, page_size=3
    )

    live = account.lists()
    total = sum(len(records) for records in live.values())
    pages = [path for path in transport.paths() if path.startswith("/v1/")]
    assert pages == ["/v1/auth/token"] + ["/v1/changes"] * (total // 3 + 1)
    assert received == {collection: len(records) for collection, records in live.items()}
    assert mirrored(db) == live


def test_a_refused_token_or_an_older_mirror_is_read_again_in_full(server, tmp_path):
    account = Account(server)
    kept = account.create("applications", company="Kept", role_title="Engineer")
    db = tmp_path / "mirror.sqlite"
    run_in_process(server, db, Recorder(), email=account.email, password=PASSWORD)
    connection = sqlite3.connect(db)
    with connection:  # a token the server never wrote, and a row the server does not have
        connection.execute("UPDATE meta SET value = 'not-a-token' WHERE key = 'sync_token'")
        connection.execute("INSERT INTO applications (id, json) VALUES ('stale', '{}')")
    connection.close()

    _, _, lines = run_in_process(server, db, Recorder())

    assert "the server refused the saved position; reading everything in full" in lines
    assert mirrored(db) == account.lists() == {"applications": {kept["id"]: kept}}

    connection = sqlite3.connect(db)
    with connection:  # what the per-collection version of this script left
        connection.execute("CREATE TABLE progress (collection TEXT PRIMARY KEY)")
        connection.execute("INSERT INTO applications (id, json) VALUES ('stale', '{}')")
    connection.close()

    _, _, lines = run_in_process(server, db, Recorder())

    assert "a mirror from an older version of this script; reading everything in full" in lines
    assert mirrored(db) == account.lists()
