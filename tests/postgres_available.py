"""`python -m tests.postgres_available URL`: can the suite run on the PostgreSQL server of URL?

Only the server matters: each run creates a database of its own and drops it afterwards, both
through the server's maintenance database (`postgres`, else `template1`, as `createdb` does)
with URL's host, port and user, so the database URL names need not exist. Prints one line
saying what it found; exits 0 when the server answers and lets the user create databases, 1
when nothing answers at the address, 2 when the server answers but refuses.
"""

import asyncio
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg

MAINTENANCE_DATABASES = ("postgres", "template1")
REACHABLE, UNREACHABLE, REFUSED = 0, 1, 2


def on_database(url: str, name: str) -> str:
    """URL with its database replaced by `name` (the rest, query included, kept)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def server_of(url: str) -> str:
    """`user@host:port` of URL, for messages: never its password."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return f"{user}{parts.hostname or 'the local socket'}:{parts.port or 5432}"


async def connect_to_server(url: str, timeout: float = 10) -> asyncpg.Connection:
    """A connection to the maintenance database of URL's server."""
    for name in MAINTENANCE_DATABASES[:-1]:
        try:
            return await asyncpg.connect(on_database(url, name), timeout=timeout)
        except asyncpg.InvalidCatalogNameError:
            continue  # a server without `postgres` still has template1
    return await asyncpg.connect(on_database(url, MAINTENANCE_DATABASES[-1]), timeout=timeout)


async def admin(url: str, statement: str) -> None:
    """Run `statement` (CREATE or DROP DATABASE) on URL's server."""
    connection = await connect_to_server(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def create_database(url: str, prefix: str) -> str:
    """A new, empty database on URL's server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await admin(url, f'CREATE DATABASE "{name}"')
    return on_database(url, name)


async def drop_database(url: str, database_url: str) -> None:
    """Drop the database of `database_url` (made by `create_database`), connections and all."""
    name = urlsplit(database_url).path.lstrip("/")
    await admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def check(url: str) -> tuple[int, str]:
    """The exit code and the line saying what was found at URL's server."""
    where = server_of(url)
    try:
        connection = await connect_to_server(url, timeout=3)
    except (OSError, TimeoutError) as exc:
        return UNREACHABLE, f"PostgreSQL not reachable at {where.split('@')[-1]} ({exc!r})."
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return REFUSED, f"PostgreSQL at {where} answers but refuses the connection: {exc}"
    try:
        may_create = await connection.fetchval(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        )
    finally:
        await connection.close()
    if not may_create:
        return REFUSED, f"PostgreSQL at {where} answers, but this user may not CREATE DATABASE."
    return REACHABLE, (
        f"PostgreSQL at {where}: the suite runs in a database of its own, created and dropped "
        "through the server's maintenance database."
    )


if __name__ == "__main__":
    code, line = asyncio.run(check(sys.argv[1]))
    print(line)  # noqa: T201 (the Makefile shows it)
    sys.exit(code)
