"""The database the app talks to: SQLite tuned for a web server, and migrations that agree
with the models and can be walked down and up again."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, Table, inspect, select, text

from alembic import command
from app.core.config import Settings
from app.core.db import create_engine
from app.tables import metadata
from tests.conftest import POSTGRES_URL, _admin, alembic_config, make_settings


@pytest.fixture
def fresh_settings(settings: Settings, tmp_path) -> Iterator[Settings]:
    """Settings for an empty database of the same kind as the test run's, dropped afterwards."""
    if settings.is_sqlite:
        yield make_settings(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
        return
    assert POSTGRES_URL is not None
    name = f"rebound_fresh_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_settings(f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}", tmp_path)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def table_names(settings: Settings) -> set[str]:
    async def read() -> set[str]:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                names = await connection.run_sync(lambda c: inspect(c).get_table_names())
        finally:
            await engine.dispose()
        return set(names) - {"alembic_version"}

    return asyncio.run(read())


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("foreign_keys", 1), ("busy_timeout", 5000)],
)
async def test_sqlite_connections_are_tuned(app, settings, pragma, expected):
    if not settings.is_sqlite:
        pytest.skip("SQLite only")

    async with app.state.engine.connect() as connection:
        value = await connection.scalar(text(f"PRAGMA {pragma}"))

    assert value == expected


async def test_the_migrations_match_the_models(app):
    def differences(connection):
        context = MigrationContext.configure(
            connection,
            opts={
                "render_as_batch": connection.dialect.name == "sqlite",
                "compare_type": True,
                "compare_server_default": True,
            },
        )
        return compare_metadata(context, metadata)

    async with app.state.engine.connect() as connection:
        diff = await connection.run_sync(differences)

    assert diff == []


async def test_every_foreign_key_of_the_migrated_database_has_an_index_that_serves_it(app):
    """Rows that point at a record are found by an index that starts with the key's columns:
    without one, each lookup of an outcome's reflections or an application's interviews (and
    each cascade) reads every row of the user's, and an agenda went quadratic."""

    def unserved(connection):
        schema = inspect(connection)
        missing = []
        for table in set(schema.get_table_names()) - {"alembic_version"}:
            leading = [
                tuple(index["column_names"])
                for index in [
                    *schema.get_indexes(table),
                    *schema.get_unique_constraints(table),
                    {"column_names": schema.get_pk_constraint(table)["constrained_columns"]},
                ]
            ]
            for key in schema.get_foreign_keys(table):
                columns = tuple(key["constrained_columns"])
                if not any(index[: len(columns)] == columns for index in leading):
                    missing.append((table, columns))
        return missing

    async with app.state.engine.connect() as connection:
        assert await connection.run_sync(unserved) == []


def test_the_migrations_go_down_to_base_and_up_to_head_again(fresh_settings):
    config = alembic_config(fresh_settings)
    command.upgrade(config, "head")
    assert table_names(fresh_settings) == {table.name for table in metadata.sorted_tables}

    command.downgrade(config, "base")
    assert table_names(fresh_settings) == set()

    command.upgrade(config, "head")
    assert table_names(fresh_settings) == {table.name for table in metadata.sorted_tables}


def before_0008(table: Table) -> Table:
    """The table without the columns later revisions add (users.email_verified)."""
    later = {"email_verified"}
    return Table(
        table.name, MetaData(), *(Column(c.name, c.type) for c in table.c if c.name not in later)
    )


def run(settings: Settings, statement: Any) -> list[Any]:
    async def execute() -> list[Any]:
        engine = create_engine(settings)
        try:
            async with engine.begin() as connection:
                result = await connection.execute(statement)
                return list(result) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(execute())


def test_migration_0006_makes_a_session_of_every_sign_in_and_goes_back(fresh_settings):
    """Sessions are backfilled from the refresh-token families: one per family, ended only
    when every token of it was revoked."""
    users, tokens, sessions = (
        metadata.tables[name] for name in ("users", "refresh_tokens", "sessions")
    )
    users = before_0008(users)
    config = alembic_config(fresh_settings)
    command.upgrade(config, "0005")
    user, open_family, ended_family = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    created = _at("2026-11-01 10:00:00")
    run(
        fresh_settings,
        users.insert().values(
            id=user, email="a@example.com", password_hash="x", timezone="UTC",
            created_at=created, updated_at=created, version=1, change_seq=0,
        ),
    )  # fmt: skip
    families = [
        (open_family, "2026-11-01 10:00:00", "2026-11-01 10:15:00"),
        (open_family, "2026-11-03 09:00:00", None),
        (ended_family, "2026-11-02 08:00:00", "2026-11-02 08:30:00"),
    ]
    for n, (family, at, revoked) in enumerate(families):
        run(
            fresh_settings,
            tokens.insert().values(
                id=uuid.uuid4(), user_id=user, family_id=family, token_hash=f"{n:064d}",
                created_at=_at(at), expires_at=_at("2026-12-30 00:00:00"),
                revoked_at=_at(revoked) if revoked else None,
            ),
        )  # fmt: skip

    command.upgrade(config, "0006")
    rows = run(fresh_settings, select(sessions).order_by(sessions.c.created_at))

    assert [(row.id, row.user_id, row.device) for row in rows] == [
        (open_family, user, "Unknown device"),
        (ended_family, user, "Unknown device"),
    ]
    assert rows[0].created_at == _at("2026-11-01 10:00:00")
    assert rows[0].last_used_at == _at("2026-11-03 09:00:00")  # its newest token
    assert rows[0].revoked_at is None
    assert rows[1].revoked_at == _at("2026-11-02 08:30:00")
    command.downgrade(config, "0005")
    assert "sessions" not in table_names(fresh_settings)
    assert len(run(fresh_settings, select(tokens.c.id))) == 3
    command.upgrade(config, "head")


def _at(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


def test_migration_0007_keys_ids_per_account_and_refuses_to_go_back_once_shared(
    fresh_settings,
):
    users, applications, outcomes, steps = (
        metadata.tables[name] for name in ("users", "applications", "outcomes", "stage_changes")
    )
    users = before_0008(users)
    config = alembic_config(fresh_settings)
    command.upgrade(config, "0006")
    alice, bob, shared_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = _at("2026-11-01 10:00:00")
    record = {"created_at": now, "updated_at": now, "version": 1, "change_seq": 1}
    for user, email in ((alice, "a@example.com"), (bob, "b@example.com")):
        run(
            fresh_settings,
            users.insert().values(
                id=user, email=email, password_hash="x", timezone="UTC",
                created_at=now, updated_at=now, version=1, change_seq=1,
            ),
        )  # fmt: skip
    run(
        fresh_settings,
        applications.insert().values(
            id=shared_id, user_id=alice, company="Globex", role_title="Engineer",
            stage="rejected", source="other", interest=3, tags=[], **record,
        ),
    )  # fmt: skip
    bobs_app, bobs_outcome = uuid.uuid4(), uuid.uuid4()
    run(
        fresh_settings,
        applications.insert().values(
            id=bobs_app, user_id=bob, company="Initech", role_title="Analyst",
            stage="rejected", source="other", interest=3, tags=[], **record,
        ),
    )  # fmt: skip
    run(
        fresh_settings,
        outcomes.insert().values(
            id=bobs_outcome, user_id=bob, application_id=bobs_app, kind="rejection",
            received_on=now.date(), reasons=[], feedback_offered=False, **record,
        ),
    )  # fmt: skip
    # Alice's timeline cites Bob's outcome: what an import could store before 0007.
    entry = uuid.uuid4()
    run(
        fresh_settings,
        steps.insert().values(
            id=entry, user_id=alice, application_id=shared_id, from_stage="applied",
            to_stage="rejected", changed_at=now, cause="outcome", outcome_id=bobs_outcome,
        ),
    )  # fmt: skip

    command.upgrade(config, "0007")

    (kept,) = run(fresh_settings, select(steps.c.id, steps.c.outcome_id))
    assert kept == (entry, None)  # the citation of another account's outcome is dropped
    run(
        fresh_settings,
        applications.insert().values(
            id=shared_id, user_id=bob, company="Hooli", role_title="Engineer",
            stage="applied", source="other", interest=3, tags=[], **record,
        ),
    )  # fmt: skip
    assert len(run(fresh_settings, select(applications.c.id))) == 3
    with pytest.raises(RuntimeError, match="used by more than one account"):
        command.downgrade(config, "0006")
    run(fresh_settings, applications.delete().where(applications.c.user_id == bob))
    command.downgrade(config, "0006")
    assert len(run(fresh_settings, select(applications.c.id))) == 1
    command.upgrade(config, "head")
