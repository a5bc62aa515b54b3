"""Creating an application: on PostgreSQL one statement writes the record, takes the user's
change number and starts the timeline (Resource.create_in_one_statement); on SQLite the
session does it in steps. Either way the client sees the same record, sync sees it once, and
a taken id or a gone account is answered as before."""

import asyncio
import uuid

from tests.helpers import PASSWORD, assert_problem, register
from tests.sql_capture import captured

BODY = {
    "company": "Globex",
    "role_title": "Platform engineer",
    "stage": "screening",
    "tags": ["platform", "berlin"],
    "notes": "Zoë's team — ünïcode too.",
}


async def test_the_created_record_is_the_one_read_back(client):
    user = await register(client)
    created = await client.post("/v1/applications", json=BODY, headers=user["headers"])
    assert created.status_code == 201, created.text
    record = created.json()
    assert created.headers["location"] == f"/v1/applications/{record['id']}"
    read = await client.get(created.headers["location"], headers=user["headers"])
    assert read.json() == record
    assert read.headers["etag"] == created.headers["etag"]
    assert record["version"] == 1
    assert record["deleted_at"] is None
    assert record["created_at"] == record["updated_at"]
    assert {k: record[k] for k in BODY} == BODY
    assert record["source"] == "other"  # defaults filled in
    assert record["interest"] == 3


async def test_one_statement_on_postgresql(app, client, settings):
    user = await register(client)
    with captured(app) as statements:
        created = await client.post("/v1/applications", json=BODY, headers=user["headers"])
    assert created.status_code == 201, created.text
    if settings.is_sqlite:
        assert len(statements) > 1  # the session's steps
    else:
        assert len(statements) == 1, [sql for sql, _ in statements]
    timeline = await client.get(
        f"/v1/applications/{created.json()['id']}/timeline", headers=user["headers"]
    )
    [entry] = timeline.json()["items"]
    assert entry["from_stage"] is None
    assert entry["to_stage"] == "screening"
    assert entry["cause"] == "user"
    assert entry["outcome_id"] is None
    assert entry["changed_at"] >= created.json()["created_at"]


async def test_delta_sync_sees_each_create_once(client):
    user = await register(client)
    first = await client.get("/v1/applications", params={"limit": 1}, headers=user["headers"])
    token = first.json()["sync_token"]
    made = await asyncio.gather(
        *(
            client.post(
                "/v1/applications", json={**BODY, "company": f"C{i}"}, headers=user["headers"]
            )
            for i in range(12)
        )
    )
    assert [r.status_code for r in made] == [201] * 12
    changed = await client.get(
        "/v1/applications", params={"updated_since": token, "limit": 100}, headers=user["headers"]
    )
    ids = [item["id"] for item in changed.json()["items"]]
    assert sorted(ids) == sorted(r.json()["id"] for r in made)
    again = await client.get(
        "/v1/applications",
        params={"updated_since": changed.json()["sync_token"]},
        headers=user["headers"],
    )
    assert again.json()["items"] == []


async def test_a_client_id_another_user_has_creates_a_record_of_ones_own_and_syncs(client):
    owner, other = await register(client), await register(client)
    record_id = str(uuid.uuid4())
    mine = await client.post(
        "/v1/applications", json={**BODY, "id": record_id}, headers=owner["headers"]
    )
    assert mine.status_code == 201
    before = await client.get("/v1/applications", headers=other["headers"])
    theirs = await client.post(
        "/v1/applications", json={**BODY, "id": record_id}, headers=other["headers"]
    )
    assert theirs.status_code == 201, theirs.text
    after = await client.get(
        "/v1/applications",
        params={"updated_since": before.json()["sync_token"]},
        headers=other["headers"],
    )
    assert [item["id"] for item in after.json()["items"]] == [record_id]
    assert after.json()["items"][0]["created_at"] == theirs.json()["created_at"]
    still = await client.get(f"/v1/applications/{record_id}", headers=owner["headers"])
    assert still.json() == mine.json()


async def test_resending_a_client_id_answers_the_existing_record(client):
    user = await register(client)
    body = {**BODY, "id": str(uuid.uuid4())}
    first = await client.post("/v1/applications", json=body, headers=user["headers"])
    second = await client.post("/v1/applications", json=body, headers=user["headers"])
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert second.headers["etag"] == first.headers["etag"]
    listed = await client.get("/v1/applications", headers=user["headers"])
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]


async def test_an_erased_account_creates_nothing(client):
    user = await register(client)
    erased = await client.request(
        "DELETE", "/v1/me", json={"password": PASSWORD}, headers=user["headers"]
    )
    assert erased.status_code == 204, erased.text
    response = await client.post("/v1/applications", json=BODY, headers=user["headers"])
    assert_problem(response, 401)
