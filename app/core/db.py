"""The SQLAlchemy engine (SQLite's executor; on PostgreSQL the dialect and URL asyncpg's pool
is built from) and the column types shared by every table."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from app.core.config import Settings

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
        # Requests never connect through it (app/core/database.py runs asyncpg's pool); tools
        # and tests that do get the session settings requests run with.
        engine = create_async_engine(
            settings.async_database_url,
            hide_parameters=True,
            pool_size=1,
            max_overflow=4,
            pool_timeout=settings.db_pool_timeout_seconds,
            connect_args={
                "timeout": settings.db_pool_timeout_seconds,
                "server_settings": POSTGRES_SESSION,
            },
        )
    return engine
