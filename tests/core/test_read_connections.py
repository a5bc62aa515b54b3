"""The read path's own connections on PostgreSQL (app/core/reads.py): reused while they are
sound, never after a cancelled statement, and not trusted after a long idle spell."""

import asyncio

import pytest
from sqlalchemy import func, literal, select

from app.core import reads
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="the read pool is PostgreSQL's")

ONE = select(literal(1))


async def connection_of(reader: reads.PostgresReader) -> object:
    await reader.rows(ONE, {})
    return reader._idle[-1][0]


async def test_a_connection_serves_the_next_statement_even_after_a_failed_one(app):
    reader = app.state.reader
    first = await connection_of(reader)

    with pytest.raises(Exception, match="division by zero"):
        await reader.rows(select(literal(1) / literal(0)), {})

    assert await connection_of(reader) is first


async def test_a_cancelled_statement_s_connection_is_not_used_again(app):
    reader = app.state.reader
    first = await connection_of(reader)
    sleeping = asyncio.create_task(reader.rows(select(func.pg_sleep(5)), {}))
    await asyncio.sleep(0.2)

    sleeping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeping

    assert first.is_closed()  # type: ignore[attr-defined]
    assert await connection_of(reader) is not first


async def test_a_connection_idle_too_long_is_replaced(app, monkeypatch):
    reader = app.state.reader
    first = await connection_of(reader)
    monkeypatch.setattr(reads, "IDLE_SECONDS", 0.0)

    second = await connection_of(reader)

    assert second is not first
    assert first.is_closed()  # type: ignore[attr-defined]
