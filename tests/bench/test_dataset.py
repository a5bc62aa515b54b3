"""The benchmark's seeded data is data the API itself would have written: it renders through
the response models (export), the import accepts it, and the change sequence is consistent."""

import random
import uuid
from datetime import UTC, datetime

from sqlalchemy import text

from app.auth import passwords
from app.tables import metadata
from tests.bench.dataset import TABLES, UserFactory, UserRows
from tests.bench.seed import _insert
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
