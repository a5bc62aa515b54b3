#!/usr/bin/env python3
"""Mirror a Rebound account into a local SQLite file, with delta sync.

    export REBOUND_EMAIL=me@example.com REBOUND_PASSWORD='my password'
    python examples/sync.py --url http://127.0.0.1:8000 --db rebound-mirror.sqlite

It reads the change feed, GET /v1/changes: every collection's changes in one walk, one request
per page. The first run reads every record; later runs ask only for what changed since
(`updated_since=<sync_token>`), deletions included. Each collection becomes a table
`(id TEXT PRIMARY KEY, json TEXT, deleted INTEGER)`: `json` is the record as the API returns
it, `deleted` is 1 for a record deleted on the server (its last state is kept).

It never loses its place: each page is committed with the cursor of the next one, and the
`sync_token` is saved only once the walk has finished, so a run that is stopped (Ctrl-C, a
network outage, a crash) continues where it stopped next time. 401 is answered by
refreshing the access token with the saved refresh token (or signing in again when email and
password are given); 429, 502, 503, 504 and network errors are retried with exponential
backoff and jitter (Retry-After honoured), up to --max-retries times per request. The tokens
are kept in the SQLite file: protect it like a password.

Needs only httpx (a dependency of the server). Exit status: 0 synced, 1 failed, 130 stopped.
"""

import argparse
import email.utils
import json
import os
import random
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RETRY_STATUSES = frozenset({429, 502, 503, 504})
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 60.0

Log = Callable[[str], None]
Sleep = Callable[[float], None]


class SyncError(Exception):
    """The sync cannot go on; what was committed so far is kept and resumed next time."""


def retry_delay(attempt: int, retry_after: str | None = None) -> float:
    """Seconds to wait before retry number `attempt` (0-based): the server's Retry-After
    (seconds or an HTTP date) when it gives one, else exponential backoff with jitter;
    never more than BACKOFF_CAP_SECONDS."""
    if retry_after:
        seconds: float | None
        try:
            seconds = float(retry_after)
        except ValueError:
            try:
                moment = email.utils.parsedate_to_datetime(retry_after)
            except (TypeError, ValueError):
                seconds = None
            else:
                moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
                seconds = (moment - datetime.now(UTC)).total_seconds()
        if seconds is not None:
            return min(max(seconds, 0.0), BACKOFF_CAP_SECONDS)
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (jitter, not secrecy)


def table_name(collection: str) -> str:
    if not re.fullmatch(r"[a-z][a-z-]*", collection):
        raise SyncError(f"unexpected collection name {collection!r}")
    return collection.replace("-", "_")


class Mirror:
    """The local SQLite file: one table per collection; in `meta`, the tokens and where the
    walk stands: `sync_token` (of the last finished walk: the next run starts there),
    `walk_since` (updated_since of the walk in progress, none for a full read) and `cursor`
    (its next page; none when no walk is in progress)."""

    def __init__(self, path: str | Path) -> None:
        self.db = sqlite3.connect(path)
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")

    def close(self) -> None:
        self.db.close()

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, **values: str | None) -> None:
        with self.db:
            self._set(**values)

    def position(self) -> tuple[str | None, str | None, str | None]:
        """(sync_token, walk_since, cursor) of the change feed."""
        return self.get("sync_token"), self.get("walk_since"), self.get("cursor")

    def tables(self) -> list[str]:
        """The collection tables (and, in a mirror an older version of this script wrote,
        its `progress` table)."""
        rows = self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta' ORDER BY name"
        )
        return [name for (name,) in rows]

    def save_page(
        self,
        changes: list[dict[str, Any]],
        walk_since: str | None,
        next_cursor: str | None,
        sync_token: str,
    ) -> None:
        """Store a page of changes and where the walk goes next, in one transaction; the last
        page of a walk (no next cursor) saves its sync_token instead."""
        with self.db:
            for change in changes:
                table, record = table_name(change["collection"]), change["record"]
                self.db.execute(
                    f'CREATE TABLE IF NOT EXISTS "{table}" ('  # noqa: S608 (name checked)
                    " id TEXT PRIMARY KEY, json TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)"
                )
                self.db.execute(
                    f'INSERT INTO "{table}" (id, json, deleted) VALUES (?, ?, ?)'  # noqa: S608
                    " ON CONFLICT (id) DO UPDATE SET json = excluded.json,"
                    " deleted = excluded.deleted",
                    (
                        record["id"],
                        json.dumps(record, sort_keys=True),
                        int(bool(record["deleted_at"])),
                    ),
                )
            if next_cursor is None:
                self._set(sync_token=sync_token, walk_since=None, cursor=None)
            else:
                self._set(walk_since=walk_since, cursor=next_cursor)

    def _set(self, **values: str | None) -> None:
        self.db.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            values.items(),
        )

    def forget(self) -> None:
        """Drop every record and the position: the next walk reads everything in full."""
        with self.db:
            for table in self.tables():
                self.db.execute(f'DROP TABLE "{table}"')
            self._set(sync_token=None, walk_since=None, cursor=None)

    def counts(self, collection: str) -> tuple[int, int]:
        """(live, deleted) records of a collection."""
        table = table_name(collection)
        exists = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if not exists:
            return 0, 0
        live, deleted = self.db.execute(
            f'SELECT COUNT(*) - COALESCE(SUM(deleted), 0), COALESCE(SUM(deleted), 0) FROM "{table}"'  # noqa: S608, E501
        ).fetchone()
        return int(live), int(deleted)


class Api:
    """HTTP with the saved session: bearer tokens, refresh on 401, retries with backoff."""

    def __init__(
        self,
        client: httpx.Client,
        mirror: Mirror,
        *,
        email: str | None,
        password: str | None,
        max_retries: int,
        sleep: Sleep,
        log: Log,
    ) -> None:
        self.client, self.mirror = client, mirror
        self.email, self.password = email, password
        self.max_retries, self.sleep, self.log = max_retries, sleep, log

    def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """An authenticated GET; a 401 refreshes the tokens once and tries again."""
        response = self.send("GET", path, params=params, headers=self._bearer())
        if response.status_code == 401:
            self.refresh()
            response = self.send("GET", path, params=params, headers=self._bearer())
        return response

    def ensure_session(self) -> None:
        if self.mirror.get("refresh_token") is None:
            self.login()

    def login(self) -> None:
        if not self.email or not self.password:
            raise SyncError(
                "not signed in: give --email and --password (or REBOUND_EMAIL and "
                "REBOUND_PASSWORD) for the first run"
            )
        response = self.send(
            "POST", "/v1/auth/token", data={"username": self.email, "password": self.password}
        )
        if response.status_code != 200:
            raise SyncError(f"sign-in failed: {describe(response)}")
        self._keep(response.json())
        self.log("signed in")

    def refresh(self) -> None:
        """Exchange the saved refresh token; sign in again when it no longer works."""
        token = self.mirror.get("refresh_token")
        if token is not None:
            response = self.send("POST", "/v1/auth/refresh", json={"refresh_token": token})
            if response.status_code == 200:
                self._keep(response.json())
                self.log("access token refreshed")
                return
            if response.status_code != 401:
                raise SyncError(f"token refresh failed: {describe(response)}")
        self.log("the saved session has ended")
        self.login()

    def _keep(self, pair: dict[str, Any]) -> None:
        # Saved at once: the old refresh token stops working as soon as this one is issued.
        self.mirror.put(access_token=pair["access_token"], refresh_token=pair["refresh_token"])

    def _bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.mirror.get('access_token') or ''}"}

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request, retried on network errors and on 429/502/503/504."""
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                response = self.client.request(method, path, **kwargs)
            except httpx.TransportError as error:
                if last:
                    raise SyncError(
                        f"network error on {method} {path} after {attempt} retries: {error!r}"
                    ) from error
                delay = retry_delay(attempt)
                self.log(f"network error ({type(error).__name__}); retrying in {delay:.1f} s")
            else:
                if response.status_code not in RETRY_STATUSES or last:
                    return response
                delay = retry_delay(attempt, response.headers.get("Retry-After"))
                self.log(f"server answered {response.status_code}; retrying in {delay:.1f} s")
            self.sleep(delay)
        raise AssertionError("unreachable")


def describe(response: httpx.Response) -> str:
    """Status and the problem document's detail, never the request (it may hold secrets)."""
    try:
        detail = response.json().get("detail", "")
    except (ValueError, AttributeError):
        detail = ""
    return f"{response.status_code} {detail}".strip()


def sync_changes(api: Api, mirror: Mirror, page_size: int, log: Log) -> dict[str, int]:
    """Walk the change feed from where the mirror stands; returns the records received per
    collection."""
    if "progress" in mirror.tables():  # a mirror of this script's per-collection walks
        log("a mirror from an older version of this script; reading everything in full")
        mirror.forget()
    sync_token, walk_since, cursor = mirror.position()
    if cursor is None:
        walk_since = sync_token  # a new walk: a full one the first time, then the changes
    else:
        log("resuming an unfinished read")
    kind = "full read" if walk_since is None else "changes since the last sync"
    received: dict[str, int] = {}
    while True:
        params: dict[str, Any] = {"limit": page_size}
        if walk_since is not None:
            params["updated_since"] = walk_since
        if cursor is not None:
            params["cursor"] = cursor
        response = api.get("/v1/changes", params)
        if response.status_code == 422 and _refused_position(response):
            # A token or cursor the server no longer knows (e.g. its data was restored):
            # only a full read gives a mirror that is sure to be right.
            log("the server refused the saved position; reading everything in full")
            mirror.forget()
            walk_since = cursor = None
            received, kind = {}, "full read"
            continue
        if response.status_code != 200:
            raise SyncError(f"GET /v1/changes failed: {describe(response)}")
        page = response.json()
        cursor = page["next_cursor"]
        mirror.save_page(page["items"], walk_since, cursor, page["sync_token"])
        for change in page["items"]:
            received[change["collection"]] = received.get(change["collection"], 0) + 1
        log(f"changes: {sum(received.values())} records so far ({kind})")
        if cursor is None:
            return received


def _refused_position(response: httpx.Response) -> bool:
    try:
        fields = {error.get("field") for error in response.json().get("errors") or []}
    except (ValueError, AttributeError):
        return False
    return bool(fields & {"query.updated_since", "query.cursor"})


@contextmanager
def opened(path: str | Path) -> Iterator[Mirror]:
    mirror = Mirror(path)
    try:
        yield mirror
    finally:
        mirror.close()


def sync(
    client: httpx.Client,
    db_path: str | Path,
    *,
    email: str | None = None,
    password: str | None = None,
    max_retries: int = 8,
    page_size: int = 200,
    sleep: Sleep = time.sleep,
    log: Log | None = None,
) -> dict[str, int]:
    """Bring the mirror at `db_path` up to date with the server `client` points at (its
    base_url); returns the records received per collection in this run."""
    log = log or (lambda message: print(message, file=sys.stderr))  # noqa: T201
    with opened(db_path) as mirror:
        url = str(client.base_url).rstrip("/")
        known_url, known_email = mirror.get("url"), mirror.get("email")
        if known_url is not None and known_url != url:
            raise SyncError(f"{db_path} mirrors {known_url}; use another --db for {url}")
        if known_email is not None and email is not None and known_email != email.lower():
            raise SyncError(f"{db_path} mirrors {known_email}'s account; use another --db")
        if known_url is None:
            mirror.put(url=url)
        if email is not None and known_email is None:
            mirror.put(email=email.lower())
        api = Api(
            client,
            mirror,
            email=email,
            password=password,
            max_retries=max_retries,
            sleep=sleep,
            log=log,
        )
        api.ensure_session()
        received = sync_changes(api, mirror, page_size, log)
        for table in mirror.tables():
            collection = table.replace("_", "-")
            live, deleted = mirror.counts(collection)
            count = received.get(collection, 0)
            log(f"{collection}: {live} live, {deleted} deleted ({count} received this run)")
        return received


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--url",
        default=os.environ.get("REBOUND_URL", "http://127.0.0.1:8000"),
        help="the server (default: REBOUND_URL or http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--email",
        default=os.environ.get("REBOUND_EMAIL"),
        help="needed for the first run only (default: REBOUND_EMAIL)",
    )
    parser.add_argument(
        "--password",
        default=os.environ.get("REBOUND_PASSWORD"),
        help="prefer REBOUND_PASSWORD: arguments are visible to other local users",
    )
    parser.add_argument("--db", default="rebound-mirror.sqlite", help="the SQLite mirror file")
    parser.add_argument("--max-retries", type=int, default=8, help="per request (default 8)")
    parser.add_argument("--page-size", type=int, default=200, help="records per request")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    args = parser.parse_args(argv)
    if args.max_retries < 0 or not 1 <= args.page_size <= 200:
        parser.error("--max-retries must be >= 0 and --page-size between 1 and 200")
    try:
        with httpx.Client(base_url=args.url, timeout=args.timeout) as client:
            sync(
                client,
                args.db,
                email=args.email,
                password=args.password,
                max_retries=args.max_retries,
                page_size=args.page_size,
            )
    except SyncError as error:
        print(f"sync failed: {error}", file=sys.stderr)  # noqa: T201
        return 1
    except KeyboardInterrupt:
        print("stopped; the next run continues from here", file=sys.stderr)  # noqa: T201
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
