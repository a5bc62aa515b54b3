"""When the database cannot serve (down, unreachable, locked, pool exhausted): recognise it, so
the request answers 503 with Retry-After instead of 500, and let the pool heal by itself."""

import errno
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine


class DatabaseUnreachable(Exception):
    """Opening a connection failed at the network level (refused, reset, timed out)."""


# PostgreSQL SQLSTATEs that mean "not now": connection exceptions (class 08), the server
# shutting down or starting up, too many connections.
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_NETWORK_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ETIMEDOUT,
    errno.EPIPE,
}


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot serve right now, rather than a bug."""
    if isinstance(exc, DatabaseUnreachable | PoolTimeout | DisconnectionError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if sqlite_code is not None:  # extended codes keep the primary code in the low byte
        return sqlite_code & 0xFF in {_SQLITE_BUSY, _SQLITE_LOCKED}
    sqlstate = getattr(orig, "sqlstate", None) or ""
    return sqlstate.startswith(UNAVAILABLE_SQLSTATES)


def _unreachable(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    # asyncpg tries every address of a host name and reports "Multiple exceptions" as a plain
    # OSError without errno; socket.gaierror (name resolution) has its own codes.
    return isinstance(exc, OSError) and (exc.errno in _NETWORK_ERRNOS or exc.errno is None)


def _connect(dialect: Dialect, _record: Any, cargs: Any, cparams: Any) -> Any:
    try:
        return dialect.connect(*cargs, **cparams)
    except Exception as exc:
        if _unreachable(exc):
            raise DatabaseUnreachable(type(exc).__name__) from exc
        raise


def _replace_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # asyncpg marks a connection closed as soon as the server or the network drops it, with
    # no round trip (pool_pre_ping would cost three on every checkout): such a connection is
    # replaced by a new one here instead of failing the request that would have used it.
    raw = getattr(dbapi_connection, "_connection", None)
    is_closed = getattr(raw, "is_closed", None)
    if is_closed is not None and is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def heal_after_outages(engine: AsyncEngine) -> None:
    """Name failed connects DatabaseUnreachable and replace pooled connections found closed.
    (A disconnect seen mid-request already invalidates the whole pool: SQLAlchemy's default.)"""
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine, "checkout", _replace_closed)
