"""When the database cannot serve (down, unreachable, locked, pool exhausted): recognise it, so
the request answers 503 with Retry-After instead of 500. (asyncpg's pool replaces a connection
the server closed when it is next acquired.)"""

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class DatabaseUnreachable(Exception):
    """Opening a connection failed at the network level (refused, reset, timed out)."""


# PostgreSQL SQLSTATEs that mean "not now": connection exceptions (class 08), the server
# shutting down or starting up, too many connections.
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


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
