"""`python -m tests.postgres_available URL`: exit 0 when PostgreSQL answers at URL."""

import asyncio
import sys

import asyncpg


async def _ping(url: str) -> None:
    connection = await asyncpg.connect(url, timeout=3)
    await connection.close()


if __name__ == "__main__":
    try:
        asyncio.run(_ping(sys.argv[1]))
    except Exception:
        sys.exit(1)
