"""Seed a migrated database by bulk INSERTs (through the app's own tables and column types,
so values are stored exactly as the app stores them), showing rows/s as it goes.

At scale 1: 1,000 users; the measured user has 1,000 applications with what followed them,
the peer user the same, every other user 5 to 35. `--scale N` multiplies the users and the
measured user's applications, never the peer's: the peer is a user of the measured user's
size at scale 1 in a database with N x the other data. One password hash (the app's hasher)
serves every account.
"""

import asyncio
import json
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.passwords import password_hash
from app.core.config import Settings
from app.core.db import create_engine
from app.shared.sync import sync_token
from app.tables import metadata
from tests.bench.dataset import TABLES, UserFactory, UserRows

MEASURED_EMAIL = "bench-user@example.com"  # APPLICATIONS_PER_SCALE x scale applications
PEER_EMAIL = "bench-peer@example.com"  # APPLICATIONS_PER_SCALE applications at every scale
WRITER_EMAIL = "user-000001@example.com"  # creates records, so the measured user's data stay put
PASSWORD = "bench password 1"  # noqa: S105 (a throwaway account on a throwaway database)
USERS_PER_SCALE = 1_000
APPLICATIONS_PER_SCALE = 1_000
OTHER_USER_APPLICATIONS = (5, 35)
CHUNK_ROWS = 20_000


@dataclass
class Seeded:
    """What the load needs to know about the data it runs against."""

    measured_user_id: uuid.UUID
    application_ids: list[uuid.UUID]  # live applications of the measured user
    sync_token: str  # 100 application changes before the measured user's last one
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class Progress:
    """One status line: rows written, rows/s, users done."""

    def __init__(self, label: str, users: int) -> None:
        self.label, self.users = label, users
        self.started = time.monotonic()
        self.rows = 0
        self.done = 0
        self.tty = sys.stderr.isatty()
        self.last_print = 0.0

    def add(self, rows: int, users: int) -> None:
        self.rows += rows
        self.done += users
        now = time.monotonic()
        if self.done == self.users or now - self.last_print >= (0.5 if self.tty else 5.0):
            self.last_print = now
            rate = self.rows / max(now - self.started, 1e-9)
            line = (
                f"seeding {self.label}: {self.rows:,} rows, {rate:,.0f} rows/s, "
                f"users {self.done:,}/{self.users:,}"
            )
            end = "\n" if self.done == self.users or not self.tty else ""
            sys.stderr.write(("\r" if self.tty else "") + line + end)
            sys.stderr.flush()


def accounts(scale: int, rng: random.Random) -> list[tuple[str, int]]:
    """Every user's email and number of applications: the measured user first, the peer
    second, then the others (user-000001, the writer, first of them)."""
    others = [
        (f"user-{index:06d}@example.com", rng.randint(*OTHER_USER_APPLICATIONS))
        for index in range(1, USERS_PER_SCALE * scale - 1)
    ]
    measured = (MEASURED_EMAIL, APPLICATIONS_PER_SCALE * scale)
    return [measured, (PEER_EMAIL, APPLICATIONS_PER_SCALE), *others]


async def _insert(connection: AsyncConnection, tables: dict[str, Table], batch: UserRows) -> None:
    for name in TABLES:
        rows = batch.rows[name]
        if not rows:
            continue
        if connection.dialect.name == "postgresql":
            await _copy(connection, tables[name], rows)
        else:
            await connection.execute(tables[name].insert(), rows)


async def _copy(connection: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY: several times faster than INSERT. asyncpg takes the Python values
    as they are, but JSON, which it takes as text."""
    columns = list(rows[0])
    as_json = {name for name in columns if isinstance(table.c[name].type, JSON)}
    records = [
        tuple(json.dumps(row[name]) if name in as_json else row[name] for name in columns)
        for row in rows
    ]
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(table.name, records=records, columns=columns)


def _measured_facts(rows: UserRows) -> tuple[uuid.UUID, list[uuid.UUID], str]:
    user_id = rows.rows["users"][0]["id"]
    seqs = sorted(app["change_seq"] for app in rows.rows["applications"])
    since = seqs[max(len(seqs) - 100, 0)] - 1
    return user_id, rows.live_application_ids, sync_token(since)


async def seed(settings: Settings, scale: int, label: str, seed_value: int = 6) -> Seeded:
    """Fill the database of `settings` (already migrated) and return what the load needs."""
    rng = random.Random(seed_value)
    factory = UserFactory(rng, datetime.now(UTC))
    users = accounts(scale, rng)
    hashed = await asyncio.to_thread(password_hash.hash, PASSWORD)
    tables = {name: metadata.tables[name] for name in TABLES}
    progress = Progress(label, len(users))
    totals = dict.fromkeys(TABLES, 0)
    engine = create_engine(settings)
    measured: tuple[uuid.UUID, list[uuid.UUID], str] | None = None
    try:
        batch, users_in_batch = UserRows(), 0
        for index, (email, applications) in enumerate(users):
            rows = factory.user(email, hashed, applications)
            if index == 0:
                measured = _measured_facts(rows)
            for name in TABLES:
                batch.rows[name].extend(rows.rows[name])
            users_in_batch += 1
            if batch.count() >= CHUNK_ROWS or index == len(users) - 1:
                async with engine.begin() as connection:
                    await _insert(connection, tables, batch)
                for name in TABLES:
                    totals[name] += len(batch.rows[name])
                progress.add(batch.count(), users_in_batch)
                batch, users_in_batch = UserRows(), 0
        await _analyse(engine.dialect.name, engine.connect)
    finally:
        await engine.dispose()
    assert measured is not None
    user_id, application_ids, token = measured
    return Seeded(
        measured_user_id=user_id,
        application_ids=application_ids,
        sync_token=token,
        rows=totals,
        seconds=time.monotonic() - progress.started,
    )


async def _analyse(dialect: str, connect: Callable[[], Any]) -> None:
    """Fresh planner statistics, as autovacuum (PostgreSQL) would have after such inserts.
    SQLite gets none: the app never runs ANALYZE there, so neither does the benchmark."""
    if dialect != "postgresql":
        return
    async with connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()
