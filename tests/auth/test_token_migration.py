"""Migration 0009: refresh and reset tokens become unique per account, (user_id, token_hash),
with the rows kept going up and down; refresh_tokens keeps an index on token_hash alone for
the tokens issued before."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import inspect, select

from alembic import command
from app.core.config import Settings
from app.core.db import create_engine
from app.tables import metadata
from tests.conftest import alembic_config
from tests.core import test_database

fresh_settings = test_database.fresh_settings  # an empty database of the run's kind
run = test_database.run
TABLES = ("refresh_tokens", "password_reset_tokens")


def keys(settings: Settings, table: str) -> dict[str, Any]:
    """The table's unique constraints and indexes, as column tuples."""

    def read(connection: Any) -> dict[str, Any]:
        schema = inspect(connection)
        return {
            "unique": {tuple(c["column_names"]) for c in schema.get_unique_constraints(table)},
            "indexes": {
                (tuple(i["column_names"]), bool(i["unique"])) for i in schema.get_indexes(table)
            },
        }

    async def inspected() -> dict[str, Any]:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(read)
        finally:
            await engine.dispose()

    return asyncio.run(inspected())


def test_migration_0009_keys_token_hashes_per_account_and_goes_back(fresh_settings):
    users, tokens, codes = (metadata.tables[name] for name in ("users", *TABLES))
    config = alembic_config(fresh_settings)
    command.upgrade(config, "0008")
    user, now = uuid.uuid4(), datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    run(
        fresh_settings,
        users.insert().values(
            id=user, email="a@example.com", password_hash="x", timezone="UTC",
            created_at=now, updated_at=now, version=1, change_seq=0, email_verified=False,
        ),
    )  # fmt: skip
    later = now + timedelta(days=30)
    run(
        fresh_settings,
        tokens.insert().values(
            id=uuid.uuid4(), user_id=user, family_id=uuid.uuid4(), token_hash="a" * 64,
            created_at=now, expires_at=later,
        ),
    )  # fmt: skip
    run(
        fresh_settings,
        codes.insert().values(
            id=uuid.uuid4(), user_id=user, token_hash="b" * 64, created_at=now, expires_at=later
        ),
    )
    for table in TABLES:
        assert keys(fresh_settings, table)["unique"] == {("token_hash",)}

    command.upgrade(config, "0009")

    for table in TABLES:
        assert keys(fresh_settings, table)["unique"] == {("user_id", "token_hash")}
    assert (("token_hash",), False) in keys(fresh_settings, "refresh_tokens")["indexes"]
    assert (("token_hash",), False) not in keys(fresh_settings, "password_reset_tokens")["indexes"]
    assert run(fresh_settings, select(tokens.c.user_id, tokens.c.token_hash)) == [(user, "a" * 64)]
    assert run(fresh_settings, select(codes.c.user_id, codes.c.token_hash)) == [(user, "b" * 64)]

    command.downgrade(config, "0008")

    for table in TABLES:
        assert keys(fresh_settings, table)["unique"] == {("token_hash",)}
    assert (("token_hash",), False) not in keys(fresh_settings, "refresh_tokens")["indexes"]
    assert run(fresh_settings, select(tokens.c.token_hash)) == [("a" * 64,)]
    assert run(fresh_settings, select(codes.c.token_hash)) == [("b" * 64,)]
    command.upgrade(config, "head")
