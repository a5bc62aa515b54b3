"""The one data path: SQLAlchemy Core statements, run by asyncpg's own pool on PostgreSQL and
by the SQLAlchemy engine on SQLite, for reads and writes alike.

A statement run on the `Database` is its own transaction; several statements that must agree
run in `async with database.transaction() as tx:`. A request may run whole in one transaction
of its own (`begin_request`, used by app/shared/idempotency.py so that a write and the answer
stored for its retries commit together): inside `joined(request)`, every statement and every
`transaction()` of the request runs in it, each in a savepoint, so a part that fails is undone
as it would have been on its own. A row is read by position or by column
label (`row[0]`, `row["id"]`, `dict(row)`: an asyncpg Record, or a tuple that reads alike on
SQLite) and holds the values SQLAlchemy would return: aware UTC datetimes, dates, UUIDs, JSON
as lists and dicts.
"""

import asyncio
import weakref
from collections.abc import (
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Protocol

import asyncpg
import orjson
from fastapi import Depends, Request
from sqlalchemy import ColumnElement, literal, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

from app.core.db import POSTGRES_SESSION
from app.core.unavailable import UNAVAILABLE_SQLSTATES, DatabaseUnreachable

Row = Any  # an asyncpg Record, or a LabelledRow
Values = Mapping[str, Any]


class LabelledRow(tuple[Any, ...]):
    """A row read as asyncpg's Record is: by position, or by label (`row["id"]`, `dict(row)`)."""

    __slots__ = ()
    labels: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            key = self.labels[key]
        return tuple.__getitem__(self, key)

    def keys(self) -> KeysView[str]:
        return self.labels.keys()

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self.labels else default


@lru_cache(maxsize=512)
def _row_class(labels: tuple[str, ...]) -> type[LabelledRow]:
    return type(
        "LabelledRow",
        (LabelledRow,),
        {"__slots__": (), "labels": {n: i for i, n in enumerate(labels)}},
    )


class ConstraintViolated(Exception):
    """A unique or foreign key constraint refused the statement (on either database)."""


class Executor(Protocol):
    """Runs Core statements with bound values: the database itself, or one transaction."""

    dialect: str

    async def rows(self, statement: Executable, values: Values | None = None) -> Sequence[Row]: ...

    def transaction(self) -> AbstractAsyncContextManager["Executor"]:
        """Several statements that must agree; inside a transaction, that transaction."""
        ...


async def first(
    executor: Executor, statement: Executable, values: Values | None = None
) -> Row | None:
    """The statement's first row, or None."""
    rows = await executor.rows(statement, values)
    return rows[0] if rows else None


async def scalar(executor: Executor, statement: Executable, values: Values | None = None) -> Any:
    """The first column of the first row, or None."""
    row = await first(executor, statement, values)
    return None if row is None else row[0]


class RequestTransaction(Protocol):
    """One request's own transaction: `executor` runs statements in it directly; while `open`,
    the request's statements join it (`joined`), each in a savepoint."""

    executor: Executor
    open: bool

    def savepoint(self) -> AbstractAsyncContextManager[Executor]: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


_REQUEST: ContextVar[RequestTransaction | None] = ContextVar("request_transaction", default=None)


@contextmanager
def joined(request: RequestTransaction) -> Iterator[None]:
    """Every statement run on the database in this block (and in what it awaits) joins
    `request`'s transaction while it is open; once it is committed or rolled back, they run on
    their own again (a background task after the response, say)."""
    token = _REQUEST.set(request)
    try:
        yield
    finally:
        _REQUEST.reset(token)


def _joined() -> RequestTransaction | None:
    request = _REQUEST.get()
    return request if request is not None and request.open else None


class Database(Executor, Protocol):
    """The executor of the app: each statement its own transaction, or several in one."""

    async def begin_request(self) -> RequestTransaction:
        """A transaction for a whole request, begun; the caller commits or rolls it back."""
        ...

    async def close(self) -> None: ...


def one_of(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN (…)` over constants, each its own bound value: a statement compiled once
    serves every execution (an IN list of SQLAlchemy's own is rendered per execution)."""
    return column.in_([literal(value, column.type) for value in values])


# --- SQLite (and any database the SQLAlchemy engine drives) ------------------------------------
class EngineConnection:
    """An engine connection (in its transaction) as an Executor."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        yield self

    async def rows(self, statement: Executable, values: Values | None = None) -> Sequence[Row]:
        try:
            result = await self.connection.execute(statement, dict(values or {}))
        except IntegrityError as exc:
            raise ConstraintViolated(type(exc.orig).__name__) from exc
        if not result.returns_rows:
            return []
        row_class = _row_class(tuple(result.keys()))
        return [row_class(row) for row in result.all()]


class EngineDatabase:
    """Statements through the SQLAlchemy engine: SQLite, where no network round trip is saved."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    async def rows(self, statement: Executable, values: Values | None = None) -> Sequence[Row]:
        async with self.transaction() as tx:
            return await tx.rows(statement, values)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        if (request := _joined()) is not None:
            async with request.savepoint() as tx:
                yield tx
            return
        async with self.engine.begin() as connection:
            yield EngineConnection(connection)

    async def begin_request(self) -> RequestTransaction:
        """SQLite: BEGIN IMMEDIATE, so the request holds the write lock from its first statement
        (a transaction that read first could not write once another had: SQLITE_BUSY); writers
        take turns as they always do on SQLite, waiting up to the busy timeout."""
        connection = await self.engine.connect()
        try:
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            await connection.close()
            raise
        return _EngineRequest(connection)

    async def close(self) -> None:
        """The engine is disposed of with the app (app/main.py)."""


class _EngineRequest:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.executor: Executor = EngineConnection(connection)
        self.open = True

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[Executor]:
        async with self.connection.begin_nested():
            yield self.executor

    async def commit(self) -> None:
        await self._end(self.connection.commit)

    async def rollback(self) -> None:
        await self._end(self.connection.rollback)

    async def _end(self, end: Callable[[], Any]) -> None:
        if not self.open:  # ended already (a rollback after a failed commit)
            return
        self.open = False
        try:
            await end()
        finally:
            await self.connection.close()


# --- PostgreSQL: asyncpg's pool ----------------------------------------------------------------
class _Compiled:
    """A statement compiled for asyncpg by SQLAlchemy: its SQL with `$n` placeholders, and
    how each bound value is prepared (the type's bind processor, as SQLAlchemy applies it)."""

    __slots__ = ("compiled", "names", "processors", "sql")

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        assert isinstance(statement, ClauseElement)
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if any(bind.expanding for bind in compiled.binds.values()):
            raise TypeError("an IN list is compiled per execution: write it with one_of()")
        self.compiled = compiled
        self.sql = compiled.string
        self.names = list(compiled.positiontup or ())
        self.processors = [
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.names
        ]

    def arguments(self, values: Values | None) -> list[Any]:
        params = self.compiled.construct_params(dict(values or {}))
        arguments = []
        for name, process in zip(self.names, self.processors, strict=True):
            value = params[name]
            arguments.append(value if process is None or value is None else process(value))
        return arguments


# Compiled forms live as long as their statement: those built once (every hot path's) are
# compiled once, a statement built for one request is compiled for it and forgotten with it.
_COMPILED: "weakref.WeakKeyDictionary[Executable, _Compiled]" = weakref.WeakKeyDictionary()


def _compiled(statement: Executable, dialect: Dialect) -> _Compiled:
    compiled = _COMPILED.get(statement)
    if compiled is None:
        compiled = _COMPILED[statement] = _Compiled(statement, dialect)
    return compiled


class _PostgresConnection:
    def __init__(self, connection: asyncpg.Connection, database: "PostgresDatabase") -> None:
        self.connection = connection
        self.database = database
        self.dialect = "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        yield self

    async def rows(self, statement: Executable, values: Values | None = None) -> Sequence[Row]:
        sql, arguments = self.database.prepared(statement, values)
        with _translated_errors():
            return await self.connection.fetch(sql, *arguments)


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Unreachable or refusing servers answer 503 (app/core/http.py); a constraint refusal is
    ConstraintViolated on both databases."""
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise ConstraintViolated(type(exc).__name__) from exc
    except (OSError, TimeoutError, asyncpg.InterfaceError) as exc:
        raise DatabaseUnreachable(type(exc).__name__) from exc
    except asyncpg.PostgresError as exc:
        if (exc.sqlstate or "").startswith(UNAVAILABLE_SQLSTATES):
            raise DatabaseUnreachable(type(exc).__name__) from exc
        raise


async def _init_connection(connection: asyncpg.Connection) -> None:
    """JSON is read into lists and dicts; a bound JSON value is the text SQLAlchemy's JSON type
    serialised. Timestamps and dates travel as ISO text (in UTC: see SERVER_SETTINGS): asyncpg's
    binary codec takes 0001-01-01T00:00:00Z for -infinity, and reads it back naive."""
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, schema="pg_catalog", format="text", encoder=str, decoder=orjson.loads
        )
    for name, kind in (("timestamptz", datetime), ("date", date)):
        await connection.set_type_codec(
            name,
            schema="pg_catalog",
            format="text",
            encoder=kind.isoformat,
            decoder=kind.fromisoformat,
        )


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """A connection goes back to the pool as it is (after asyncpg rolled back any transaction
    left open): statements here set no session state, take no advisory locks and LISTEN to
    nothing, so the reset query asyncpg sends by default would cost each request a round trip
    for nothing."""


SERVER_SETTINGS = {**POSTGRES_SESSION, "DateStyle": "ISO, YMD", "TimeZone": "UTC"}


class PostgresDatabase:
    """asyncpg's pool, created on first use (in the event loop that serves requests)."""

    def __init__(self, engine: AsyncEngine, size: int, timeout: float) -> None:
        self.dialect = "postgresql"
        self.sa_dialect = engine.dialect
        self.dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.size, self.timeout = size, timeout
        self._pool: asyncpg.Pool | None = None
        # Tests see the SQL and arguments sent here, as they see the engine's with its events.
        self.listeners: list[Callable[[str, Sequence[Any]], None]] = []
        self._creating = asyncio.Lock()

    async def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._creating:
                if self._pool is None:
                    with _translated_errors():
                        self._pool = await asyncpg.create_pool(
                            self.dsn,
                            min_size=0,
                            max_size=self.size,
                            timeout=self.timeout,
                            init=_init_connection,
                            reset=_keep_session,
                            server_settings=SERVER_SETTINGS,
                        )
        return self._pool

    async def rows(self, statement: Executable, values: Values | None = None) -> Sequence[Row]:
        if (request := _joined()) is not None:
            async with request.savepoint() as tx:
                return await tx.rows(statement, values)
        sql, arguments = self.prepared(statement, values)
        pool = await self.pool()
        connection = await self._acquire(pool)
        try:
            with _translated_errors():
                return await connection.fetch(sql, *arguments)
        finally:
            await pool.release(connection)

    async def _acquire(self, pool: asyncpg.Pool) -> asyncpg.Connection:
        """A connection within the time allowed, or 503. (asyncio.timeout here: asyncpg's own
        timeout wraps every acquire in a task of its own.)"""
        with _translated_errors():
            async with asyncio.timeout(self.timeout):
                return await pool.acquire()

    def prepared(self, statement: Executable, values: Values | None) -> tuple[str, list[Any]]:
        compiled = _compiled(statement, self.sa_dialect)
        arguments = compiled.arguments(values)
        for listener in self.listeners:
            listener(compiled.sql, arguments)
        return compiled.sql, arguments

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        if (request := _joined()) is not None:
            async with request.savepoint() as tx:
                yield tx
            return
        pool = await self.pool()
        connection = await self._acquire(pool)
        try:
            with _translated_errors():
                async with connection.transaction():
                    yield _PostgresConnection(connection, self)
        finally:
            await pool.release(connection)

    async def begin_request(self) -> RequestTransaction:
        pool = await self.pool()
        connection = await self._acquire(pool)
        try:
            transaction = connection.transaction()
            with _translated_errors():
                await transaction.start()
        except BaseException:
            await pool.release(connection)
            raise
        return _PostgresRequest(self, pool, connection, transaction)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


class _PostgresRequest:
    def __init__(
        self,
        database: PostgresDatabase,
        pool: asyncpg.Pool,
        connection: asyncpg.Connection,
        transaction: Any,
    ) -> None:
        self.pool, self.connection, self.transaction = pool, connection, transaction
        self.executor: Executor = _PostgresConnection(connection, database)
        self.open = True

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[Executor]:
        with _translated_errors():
            async with self.connection.transaction():  # nested: a savepoint
                yield self.executor

    async def commit(self) -> None:
        await self._end(self.transaction.commit)

    async def rollback(self) -> None:
        await self._end(self.transaction.rollback)

    async def _end(self, end: Callable[[], Any]) -> None:
        if not self.open:  # ended already (a rollback after a failed commit)
            return
        self.open = False
        try:
            with _translated_errors():
                await end()
        finally:
            await self.pool.release(self.connection)


_CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")


@asynccontextmanager
async def planned_for_these_values(executor: Executor) -> AsyncIterator[Executor]:
    """A transaction whose statements PostgreSQL plans for the values bound each time. After
    five runs of a prepared statement it may otherwise settle on a generic plan, blind to the
    user_id: an agenda over 10,000 applications took 3.3 s instead of 14 ms."""
    async with executor.transaction() as tx:
        if tx.dialect == "postgresql":
            await tx.rows(_CUSTOM_PLANS)
        yield tx


def create_database(engine: AsyncEngine, size: int, timeout: float) -> Database:
    if engine.dialect.name == "postgresql":
        return PostgresDatabase(engine, size, timeout)
    return EngineDatabase(engine)


async def get_database(request: Request) -> Database:
    """The app's database (a dependency, so that tests and routers may replace it). Async:
    FastAPI runs a plain `def` dependency in a worker thread."""
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(get_database)]
