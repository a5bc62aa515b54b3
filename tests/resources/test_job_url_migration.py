"""Migration 0011: applications gain `job_description` and the hidden `job_url_key` and
`company_key`, filled for the rows that exist without changing them for clients; going down
drops the three, data kept."""

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import JSON, BigInteger, Integer, Uuid, column, select, table
from sqlalchemy.dialects.postgresql import JSONB

from alembic import command
from app.core.db import UTCDateTime
from tests.conftest import alembic_config
from tests.core import test_database
from tests.resources.test_next_step_migration import users  # as revision 0009 has it

fresh_settings = test_database.fresh_settings  # an empty database of the run's kind
run = test_database.run

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
# The columns as revision 0010 has them.
applications = table(
    "applications",
    column("id", Uuid()),
    column("user_id", Uuid()),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
    column("version", Integer()),
    column("change_seq", BigInteger()),
    column("company"),
    column("role_title"),
    column("job_url"),
    column("source"),
    column("stage"),
    column("applied_on"),
    column("interest", Integer()),
    column("tags", JSON().with_variant(JSONB(), "postgresql")),
)


def test_migration_0011_keys_existing_urls_and_goes_back(fresh_settings):
    config = alembic_config(fresh_settings)
    command.upgrade(config, "0010")
    user = uuid.uuid4()
    run(
        fresh_settings,
        users.insert().values(
            id=user, email="a@example.com", password_hash="x", timezone="UTC",
            created_at=NOW, updated_at=NOW, version=1, change_seq=2, email_verified=True,
        ),
    )  # fmt: skip
    tracked, bare = uuid.uuid4(), uuid.uuid4()
    urls = {tracked: "https://www.Acme.example/jobs/42/?utm_source=x&gh_src=y#apply", bare: None}
    for record_id, url in urls.items():
        run(
            fresh_settings,
            applications.insert().values(
                id=record_id, user_id=user, created_at=NOW, updated_at=NOW, version=1,
                change_seq=1, company="ACME GmbH", role_title="Engineer", job_url=url,
                source="other", stage="applied", applied_on=date(2026, 11, 1), interest=3,
                tags=[],
            ),
        )  # fmt: skip

    command.upgrade(config, "0011")

    keyed = table(
        "applications",
        column("id", Uuid()),
        column("job_url"),
        column("job_url_key"),
        column("company_key"),
        column("job_description"),
        column("version", Integer()),
        column("change_seq", BigInteger()),
    )
    rows = {row.id: row for row in run(fresh_settings, select(keyed))}
    assert rows[tracked].job_url_key == "acme.example/jobs/42"
    assert rows[tracked].job_url == urls[tracked]  # the URL as the user gave it, kept
    assert rows[bare].job_url_key is None
    assert {row.company_key for row in rows.values()} == {"acme"}
    assert {(row.job_description, row.version, row.change_seq) for row in rows.values()} == {
        (None, 1, 1)  # nothing a client sees changed
    }

    command.downgrade(config, "0010")

    c = applications.c
    after = run(fresh_settings, select(c.id, c.job_url, c.version))
    assert {row.id: (row.job_url, row.version) for row in after} == {
        tracked: (urls[tracked], 1),
        bare: (None, 1),
    }
    command.upgrade(config, "head")
