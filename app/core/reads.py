"""The path of the hottest requests (a list page, one record, a create): one Core statement
in, rows out. Each statement is its own transaction (autocommit), so a write through here is
one statement that says everything (Resource.create_in_one_statement).

On PostgreSQL the statement runs on a pool of asyncpg connections of its own, compiled once
to asyncpg's SQL: no ORM session, no engine connection wrapper, no greenlet hop per request,
which is most of what a page cost beyond the query itself. On SQLite (development, tests) it
runs on the engine as any other statement. Rows come back as tuples in the statement's
column order, with values the JSON serialiser writes as they are (str, int, bool, aware
datetime, date, UUID, JSON as a list or as an orjson Fragment of the stored text).
"""

import asyncio
import collections
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
import orjson
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.compiler import SQLCompiler

from app.core.db import POSTGRES_SESSION
from app.core.unavailable import UNAVAILABLE_SQLSTATES, DatabaseUnreachable

Listener = Callable[[str, Sequence[Any]], None]
Rows = Sequence[Sequence[Any]]
Statement = Select[*tuple[Any, ...]]  # any columns


class Reader:
    """Runs read-only statements with the caller's bound values."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.dialect = engine.dialect.name
        # Tests see the statements that bypass the engine here (SQL and parameters), as they
        # see the others with SQLAlchemy's before_cursor_execute event.
        self.listeners: list[Listener] = []

    async def rows(self, statement: Statement, values: dict[str, Any]) -> Rows:
        raise NotImplementedError

    async def close(self) -> None:
        """Release the connections (at shutdown)."""


class EngineReader(Reader):
    """Through the SQLAlchemy engine: SQLite, where there is no network round trip to save."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.engine = engine

    async def rows(self, statement: Statement, values: dict[str, Any]) -> Rows:
        async with self.engine.connect() as connection:
            return (await connection.execute(statement, values)).all()


class _Prepared:
    """A statement compiled for asyncpg: its SQL, and for each `$n` the bound value's name (or
    the literal the statement carries) and the type's conversion, as SQLAlchemy would apply."""

    __slots__ = ("parameters", "sql")

    def __init__(self, statement: Statement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        binds = [compiled.binds[name] for name in compiled.positiontup or ()]
        self.parameters = [
            (
                bind.key if bind.required else None,
                None if bind.required else bind.effective_value,
                bind.type._cached_bind_processor(dialect),  # noqa: SLF001
            )
            for bind in binds
        ]

    def arguments(self, values: dict[str, Any]) -> list[Any]:
        arguments = []
        for key, literal, process in self.parameters:
            value = literal if key is None else values[key]
            arguments.append(value if process is None or value is None else process(value))
        return arguments


IDLE_SECONDS = 300.0  # a connection unused this long is closed, not trusted to be alive


class PostgresReader(Reader):
    """Connections of its own, at most DB_READ_POOL_SIZE, opened when needed. A request waits
    for a turn in arrival order (a turn per connection, so one is idle or can be opened),
    takes the most recently used idle connection, and gives it back after its statement.

    Not asyncpg's pool: its acquire and release cost 52 µs of CPU a request against 31 µs
    for these few lines (32 at a time; a list page costs about 400 µs in all), and its
    released connections went to whoever asked next: under load most requests took 10 ms
    and some a second."""

    def __init__(self, engine: AsyncEngine, size: int, timeout: float) -> None:
        super().__init__(engine)
        self.sa_dialect = engine.dialect
        self.dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.size, self.timeout = size, timeout
        self._idle: collections.deque[tuple[asyncpg.Connection, float]] = collections.deque()
        self._prepared: dict[Statement, _Prepared] = {}
        self._turn = asyncio.Semaphore(size)

    async def _connection(self) -> asyncpg.Connection:
        """An idle connection that is open and was used lately, else a new one."""
        now = time.monotonic()
        while self._idle:
            connection, since = self._idle.pop()
            if now - since < IDLE_SECONDS and not connection.is_closed():
                return connection
            connection.terminate()
        connection = await asyncpg.connect(
            self.dsn,
            timeout=self.timeout,
            # PostgreSQL's default plan cache here: a page or a record is read by the user's
            # index, and PostgreSQL keeps a generic plan only if it costs no more than the
            # custom plans seen so far. Planning every run cost a list page 0.25 ms of
            # database CPU.
            server_settings={
                **POSTGRES_SESSION,
                "plan_cache_mode": "auto",
                # The text form `_text_codecs` reads: ISO, in UTC.
                "DateStyle": "ISO, YMD",
                "TimeZone": "UTC",
            },
        )
        await _text_codecs(connection)
        return connection

    async def rows(self, statement: Statement, values: dict[str, Any]) -> Rows:
        prepared = self._prepared.get(statement)
        if prepared is None:
            prepared = self._prepared[statement] = _Prepared(statement, self.sa_dialect)
        arguments = prepared.arguments(values)
        for listener in self.listeners:
            listener(prepared.sql, arguments)
        try:
            # One deadline for the wait, for a turn and then its connection.
            async with asyncio.timeout(self.timeout):
                await self._turn.acquire()
                try:
                    connection = await self._connection()
                except BaseException:
                    self._turn.release()
                    raise
            try:
                rows = await connection.fetch(prepared.sql, *arguments)
            except BaseException as exc:
                # A statement that failed in PostgreSQL leaves its connection as it was
                # (autocommit); one cancelled or cut off mid-way is not used again.
                if isinstance(exc, asyncpg.PostgresError) and not connection.is_in_transaction():
                    self._idle.append((connection, time.monotonic()))
                else:
                    connection.terminate()
                raise
            else:
                self._idle.append((connection, time.monotonic()))
                return rows
            finally:
                self._turn.release()
        except (OSError, TimeoutError, asyncpg.InterfaceError) as exc:
            # Refused, reset, timed out, or the connection dropped: answered 503 (app/core/http.py)
            raise DatabaseUnreachable(type(exc).__name__) from exc
        except asyncpg.PostgresError as exc:
            if exc.sqlstate.startswith(UNAVAILABLE_SQLSTATES):  # shutting down, too many clients
                raise DatabaseUnreachable(type(exc).__name__) from exc
            raise

    async def close(self) -> None:
        while self._idle:
            connection, _ = self._idle.pop()
            try:
                await connection.close(timeout=self.timeout)
            except (OSError, TimeoutError, asyncpg.InterfaceError):
                connection.terminate()


async def _text_codecs(connection: asyncpg.Connection) -> None:
    """JSON values stay the text PostgreSQL sends, embedded as they are in the response; a
    bound JSON value is the text SQLAlchemy's JSON type serialised.

    Timestamps and dates come as ISO text (in UTC, see the pool's settings), read by
    `fromisoformat` into the same aware datetimes and dates asyncpg's binary decoder gives:
    that decoder builds each through a timedelta, which was a sixth of a list page's CPU."""
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, schema="pg_catalog", format="text", encoder=str, decoder=orjson.Fragment
        )
    for name, kind in (("timestamptz", datetime), ("date", date)):
        await connection.set_type_codec(
            name,
            schema="pg_catalog",
            format="text",
            encoder=kind.isoformat,
            decoder=kind.fromisoformat,
        )


def create_reader(engine: AsyncEngine, size: int, timeout: float) -> Reader:
    if engine.dialect.name == "postgresql":
        return PostgresReader(engine, size, timeout)
    return EngineReader(engine)
