"""The benchmark's seeded data is data the API itself would have written: it renders through
the response models (export), the import accepts it, and the change sequence is consistent.
And it has the shape the scale comparison relies on: at every scale the same number of users
per scale step, the measured user growing with the scale, the peer user not."""

import random
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from app.auth import passwords
from app.tables import metadata
from tests.bench.dataset import TABLES, UserFactory, UserRows
from tests.bench.seed import (
    APPLICATIONS_PER_SCALE,
    MEASURED_EMAIL,
    PEER_EMAIL,
    USERS_PER_SCALE,
    WRITER_EMAIL,
    _insert,
    accounts,
    seed,
)
from tests.helpers import PASSWORD, bearer, register

EMAIL = "seeded@example.com"


async def seeded_user(app, applications: int = 60) -> UserRows:
    factory = UserFactory(random.Random(6), datetime.now(UTC))
    rows = factory.user(EMAIL, passwords.password_hash.hash(PASSWORD), applications)
    async with app.state.engine.begin() as connection:
        await _insert(connection, {name: metadata.tables[name] for name in TABLES}, rows)
    return rows


async def sign_in(client) -> dict[str, str]:
    response = await client.post("/v1/auth/token", data={"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


def test_every_change_has_its_own_number_in_time_order():
    rows = UserFactory(random.Random(6), datetime.now(UTC)).user(EMAIL, "hash", 200)
    owned = [row for table in TABLES[1:] if table != "stage_changes" for row in rows.rows[table]]
    by_seq = sorted(owned, key=lambda row: row["change_seq"])

    assert [row["change_seq"] for row in by_seq] == list(range(1, len(owned) + 1))
    assert [row["updated_at"] for row in by_seq] == sorted(row["updated_at"] for row in owned)
    assert rows.rows["users"][0]["change_seq"] == len(owned)
    assert any(row["deleted_at"] for row in owned), "some tombstones for delta sync"


async def test_the_export_renders_every_seeded_record(client, app):
    rows = await seeded_user(app)
    headers = await sign_in(client)

    response = await client.get("/v1/me/export", headers=headers)

    assert response.status_code == 200, response.text
    export = response.json()
    for table in ("applications", "interviews", "outcomes", "feedback_conversations"):
        live = [row for row in rows.rows[table] if row["deleted_at"] is None]
        assert len(export[table]) == len(live) > 0, table
    assert len(export["reflections"]) > 0
    assert len(export["contacts"]) == len(rows.rows["contacts"])


async def test_the_import_accepts_the_seeded_records(client, app):
    await seeded_user(app)
    headers = await sign_in(client)
    export = (await client.get("/v1/me/export", headers=headers)).json()
    erased = await client.request("DELETE", "/v1/me", json={"password": PASSWORD}, headers=headers)
    assert erased.status_code == 204, erased.text
    again = await register(client)

    response = await client.post("/v1/me/import", json=export, headers=again["headers"])

    assert response.status_code == 200, response.text


async def test_writes_continue_the_seeded_change_sequence(client, app):
    rows = await seeded_user(app, applications=20)
    headers = await sign_in(client)
    before = (await client.get("/v1/applications", headers=headers)).json()["sync_token"]

    created = await client.post(
        "/v1/applications", json={"company": "Acme", "role_title": "Engineer"}, headers=headers
    )
    assert created.status_code == 201, created.text

    changed = await client.get(
        "/v1/applications", params={"updated_since": before}, headers=headers
    )
    assert [item["id"] for item in changed.json()["items"]] == [created.json()["id"]]
    async with app.state.engine.connect() as connection:
        seq = await connection.scalar(
            text("SELECT change_seq FROM users WHERE email = :email"), {"email": EMAIL}
        )
    assert seq == rows.rows["users"][0]["change_seq"] + 1
    assert uuid.UUID(created.json()["id"])


@pytest.mark.parametrize("scale", [1, 2, 10])
def test_the_peer_keeps_its_size_while_the_rest_grows_with_the_scale(scale):
    planned = dict(accounts(scale, random.Random(6)))

    assert len(planned) == USERS_PER_SCALE * scale  # every email once, the peer one of them
    assert planned[PEER_EMAIL] == APPLICATIONS_PER_SCALE
    assert planned[MEASURED_EMAIL] == APPLICATIONS_PER_SCALE * scale
    assert WRITER_EMAIL in planned


async def test_seeding_writes_the_peer_and_keeps_the_user_count(app):
    # Scale 1 only: each scale step takes ~15 s to seed; the test above covers the plan of others.
    await seed(app.state.settings, 1, "test x1")

    async with app.state.engine.connect() as connection:
        users = await connection.scalar(text("SELECT count(*) FROM users"))
        counted = await connection.execute(
            text(
                "SELECT u.email, count(a.id) FROM users u JOIN applications a ON a.user_id = u.id "
                "WHERE u.email IN (:measured, :peer) GROUP BY u.email"
            ),
            {"measured": MEASURED_EMAIL, "peer": PEER_EMAIL},
        )
        applications = dict(counted.all())
    assert users == USERS_PER_SCALE
    assert applications == {
        MEASURED_EMAIL: APPLICATIONS_PER_SCALE,
        PEER_EMAIL: APPLICATIONS_PER_SCALE,
    }
