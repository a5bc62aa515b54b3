"""Async engine, column types shared by every table, and the request-scoped session."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import JSON, DateTime, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from app.core.config import Settings
from app.core.unavailable import heal_after_outages

# Stable constraint names so Alembic migrations are reproducible on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONList = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name == "postgresql":
            return None  # asyncpg already returns timestamptz as aware UTC datetimes
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # A write that finds the database locked waits this long, then answers 503.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


class _NoDebugRecords(logging.Filter):
    """Drops DEBUG records: at that level these loggers print parameters and result rows."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


# Loggers that print statement parameters (aiosqlite) or result rows (SQLAlchemy) at DEBUG.
# A filter, not a level: it holds even when someone turns these loggers up to debug a query.
_DATA_LOGGERS = ("aiosqlite", "sqlalchemy.engine.Engine")


def _keep_data_out_of_logs() -> None:
    for name in _DATA_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, _NoDebugRecords) for f in target.filters):
            target.addFilter(_NoDebugRecords())


# Every request runs short queries over one user's rows. Two PostgreSQL features meant for
# analytics cost more than such a query: the JIT compiler (40 ms to compile a 10 ms insights
# query) and parallel workers (10 ms to start two for an agenda query over 800 rows).
# Prepared statements keep PostgreSQL's default plan cache: a page or a record is read by the
# user's index whatever the values, and planning it anew every time cost a list page 0.25 ms
# of database CPU. The statements whose best plan depends on the user's amount of data ask
# for a plan of their own each time (app/core/database.py, planned_for_these_values).
POSTGRES_SESSION = {
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
}


def create_engine(settings: Settings) -> AsyncEngine:
    # Never let journal text, tokens or hashes reach a log line or an error message, whatever
    # LOG_LEVEL says: SQL is logged (at INFO on sqlalchemy.engine) and errors are rendered
    # without their parameters.
    _keep_data_out_of_logs()
    if settings.is_sqlite:
        engine = create_async_engine(
            settings.async_database_url,
            hide_parameters=True,
            # As on PostgreSQL: SQLAlchemy's default (5 + 10 overflow, 30 s) timed out under
            # 32 concurrent requests; writes queue on the file lock, not on the pool.
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout_seconds,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(settings.db_busy_timeout_ms))
    else:
        engine = create_async_engine(
            settings.async_database_url,
            hide_parameters=True,
            # A fixed pool: overflow connections would be opened and closed under load, and a
            # PostgreSQL connection costs more to open than a request costs to serve.
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout_seconds,
            pool_recycle=1800,
            # An unreachable server fails the connect in this time rather than asyncpg's 60 s.
            connect_args={
                "timeout": settings.db_pool_timeout_seconds,
                "server_settings": POSTGRES_SESSION,
            },
        )
    heal_after_outages(engine)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same pool for GET requests, where each statement autocommits: a read costs no
    BEGIN and COMMIT round trips. Reads that must agree share one statement instead (see
    Resource.list_page). SQLite's driver never opens a transaction for a SELECT."""
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


_SAFE_METHODS = frozenset({"GET", "HEAD"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: commit when the handler returned, roll back when it raised."""
    state = request.app.state
    if request.method in _SAFE_METHODS:
        async with state.read_sessionmaker() as session:  # bound to the read engine
            yield session  # autocommit: nothing to commit or roll back
        return
    async with write_session(request) as session:
        yield session


@asynccontextmanager
async def write_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A writing request's session: commit when the block ends, roll back when it raises
    (unless the error says `commit`: its refusal is itself a change to keep)."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException as exc:
            if getattr(exc, "commit", False):
                await session.commit()
            else:
                await session.rollback()
            raise


# scope="function": commit before the response is sent, so a 2xx is never followed by a lost write.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
