"""Migration 0010: every stored next step gets an id of its own, as a change of its
reflection (new version, new change number); going down removes the ids, data kept."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, Integer, Uuid, column, select, table
from sqlalchemy.dialects.postgresql import JSONB

from alembic import command
from app.core.db import UTCDateTime
from tests.conftest import alembic_config
from tests.core import test_database

fresh_settings = test_database.fresh_settings  # an empty database of the run's kind
run = test_database.run

# The columns as revision 0009 has them, whatever the models grow later.
users = table(
    "users",
    column("id", Uuid()),
    column("email"),
    column("password_hash"),
    column("timezone"),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
    column("version", Integer()),
    column("change_seq", BigInteger()),
    column("email_verified"),
)
reflections = table(
    "reflections",
    column("id", Uuid()),
    column("user_id", Uuid()),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
    column("version", Integer()),
    column("change_seq", BigInteger()),
    column("answers", JSON().with_variant(JSONB(), "postgresql")),
    column("went_well", JSON().with_variant(JSONB(), "postgresql")),
    column("to_improve", JSON().with_variant(JSONB(), "postgresql")),
    column("gratitude", JSON().with_variant(JSONB(), "postgresql")),
    column("diagnosis"),
    column("still_want_similar_roles"),
    column("next_steps", JSON().with_variant(JSONB(), "postgresql")),
)
STEPS = [
    {"text": "Two mock interviews", "due_on": "2026-12-01", "done": False},
    {"text": "Two mock interviews", "due_on": None, "done": True},
    {"text": "Ask Dana for a referral", "due_on": None, "done": False},
]
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def stored(settings):
    """(id, next_steps, version, change_seq) of every reflection, by id."""
    c = reflections.c
    rows = run(settings, select(c.id, c.next_steps, c.version, c.change_seq))
    return {row.id: (row.next_steps, row.version, row.change_seq) for row in rows}


def user_seq(settings, user_id):
    [(seq,)] = run(settings, select(users.c.change_seq).where(users.c.id == user_id))
    return seq


def test_migration_0010_names_every_next_step_and_goes_back(fresh_settings):
    config = alembic_config(fresh_settings)
    command.upgrade(config, "0009")
    user = uuid.uuid4()
    run(
        fresh_settings,
        users.insert().values(
            id=user, email="a@example.com", password_hash="x", timezone="UTC",
            created_at=NOW, updated_at=NOW, version=1, change_seq=2, email_verified=True,
        ),
    )  # fmt: skip
    with_steps, without_steps = uuid.uuid4(), uuid.uuid4()
    for reflection_id, steps, seq in ((with_steps, STEPS, 1), (without_steps, [], 2)):
        run(
            fresh_settings,
            reflections.insert().values(
                id=reflection_id, user_id=user, created_at=NOW, updated_at=NOW, version=1,
                change_seq=seq, answers=[], went_well=[], to_improve=[], gratitude=[],
                diagnosis="unsure", still_want_similar_roles="unsure", next_steps=steps,
            ),
        )  # fmt: skip

    command.upgrade(config, "0010")

    after = stored(fresh_settings)
    steps, version, seq = after[with_steps]
    ids = [step.pop("id") for step in steps]
    assert steps == STEPS  # the data is kept, in order
    assert len({uuid.UUID(step_id) for step_id in ids}) == 3  # same text, still two ids
    assert (version, seq) == (2, 3)  # a change: new ETag, and a delta sync sees it
    assert after[without_steps] == ([], 1, 2)  # nothing to name: untouched
    assert user_seq(fresh_settings, user) == 3

    command.downgrade(config, "0009")

    after = stored(fresh_settings)
    assert after[with_steps] == (STEPS, 3, 4)
    assert after[without_steps] == ([], 1, 2)
    command.upgrade(config, "head")
    assert all("id" in step for step in stored(fresh_settings)[with_steps][0])
