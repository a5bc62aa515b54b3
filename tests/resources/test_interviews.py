"""Interviews: CRUD, validation, time zones, the application filter and references."""

import uuid
from datetime import datetime

import pytest

from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories import create_application, create_interview

FULL = {
    "kind": "panel",
    "scheduled_at": "2026-11-01T10:30:00Z",
    "interviewers": [{"name": "Grace", "role": "CTO"}, {"name": "Linus", "role": None}],
    "self_rating": 4,
    "notes": "System design on a whiteboard.",
}


def timestamp(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


async def test_create_with_every_field(client):
    user = await register(client)
    application = await create_application(client, user["headers"])

    response = await client.post(
        "/v1/interviews",
        json={**FULL, "application_id": application["id"]},
        headers=user["headers"],
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in FULL} == FULL
    assert body["application_id"] == application["id"]
    assert body["version"] == 1
    assert body["deleted_at"] is None
    assert response.headers["location"] == f"/v1/interviews/{body['id']}"
    assert response.headers["etag"] == f'"{uuid.UUID(body["id"]).hex}-1"'


async def test_minimal_create_fills_in_the_defaults(client):
    user = await register(client)
    application = await create_application(client, user["headers"])

    body = await create_interview(client, user["headers"], application["id"], kind="phone_screen")

    assert body["kind"] == "phone_screen"
    assert body["interviewers"] == []
    assert body["scheduled_at"] is None
    assert body["self_rating"] is None
    assert body["notes"] is None


async def test_get_list_patch_and_delete(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h)
    created = await create_interview(client, h, application["id"], **FULL)
    path = f"/v1/interviews/{created['id']}"

    got = await client.get(path, headers=h)
    assert got.status_code == 200
    assert got.json() == created
    listed = await client.get("/v1/interviews", headers=h)
    assert listed.json()["items"] == [created]

    patched = await client.patch(
        path,
        json={"self_rating": 2, "interviewers": [{"name": "Ada"}]},
        headers={**h, "If-Match": got.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["self_rating"] == 2
    assert body["interviewers"] == [{"name": "Ada", "role": None}]
    assert body["kind"] == "panel" and body["notes"] == FULL["notes"]
    assert body["version"] == 2
    assert timestamp(body["updated_at"]) > timestamp(created["updated_at"])

    cleared = await client.patch(path, json={"scheduled_at": None, "notes": None}, headers=h)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["scheduled_at"] is None and cleared.json()["notes"] is None

    stale = await client.delete(path, headers={**h, "If-Match": got.headers["etag"]})
    assert_problem(stale, 412)
    deleted = await client.delete(path, headers=h)
    assert deleted.status_code == 204
    assert_problem(await client.get(path, headers=h), 404)
    assert (await client.get("/v1/interviews", headers=h)).json()["items"] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"kind": "coffee_chat"}, "body.kind", id="bad-kind"),
        pytest.param({"kind": None}, "body.kind", id="null-kind"),
        pytest.param({"self_rating": 0}, "body.self_rating", id="rating-0"),
        pytest.param({"self_rating": 6}, "body.self_rating", id="rating-6"),
        pytest.param({"scheduled_at": "2026-11-01T10:00:00"}, "body.scheduled_at", id="naive-time"),
        pytest.param({"scheduled_at": "tomorrow"}, "body.scheduled_at", id="not-a-time"),
        pytest.param({"interviewers": [{"role": "CTO"}]}, "body.interviewers.0.name", id="no-name"),
        pytest.param({"interviewers": [{"name": "  "}]}, "body.interviewers.0.name", id="blank"),
        pytest.param(
            {"interviewers": [{"name": "x" * 201}]}, "body.interviewers.0.name", id="long-name"
        ),
        pytest.param(
            {"interviewers": [{"name": f"P{i}"} for i in range(21)]},
            "body.interviewers",
            id="21-interviewers",
        ),
        pytest.param(
            {"interviewers": [{"name": "Grace", "email": "g@example.com"}]},
            "body.interviewers.0.email",
            id="unknown-interviewer-field",
        ),
        pytest.param({"interviewers": ["Grace"]}, "body.interviewers.0", id="string-interviewer"),
        pytest.param({"notes": "x" * 10_001}, "body.notes", id="long-notes"),
        pytest.param({"mood": 3}, "body.mood", id="unknown-field"),
        pytest.param({"application_id": "nope"}, "body.application_id", id="bad-application"),
    ],
)
async def test_create_refuses_an_invalid_field_and_names_it(client, fields, field):
    user = await register(client)
    application = await create_application(client, user["headers"])

    response = await client.post(
        "/v1/interviews",
        json={"application_id": application["id"], "kind": "technical", **fields},
        headers=user["headers"],
    )

    assert field in bad_fields(response)
    assert (await client.get("/v1/interviews", headers=user["headers"])).json()["items"] == []


async def test_create_without_an_application_is_422(client):
    user = await register(client)

    response = await client.post("/v1/interviews", json={"kind": "other"}, headers=user["headers"])

    assert bad_fields(response) == {"body.application_id"}


async def test_twenty_interviewers_are_accepted(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    people = [{"name": f"Person {i}"} for i in range(20)]

    body = await create_interview(client, user["headers"], application["id"], interviewers=people)

    assert len(body["interviewers"]) == 20


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"kind": None}, "body.kind", id="null-kind"),
        pytest.param({"interviewers": None}, "body.interviewers", id="null-interviewers"),
        pytest.param({"self_rating": 6}, "body.self_rating", id="rating-6"),
        pytest.param({"scheduled_at": "2026-11-01T10:00:00"}, "body.scheduled_at", id="naive-time"),
        pytest.param(
            {"interviewers": [{"name": f"P{i}"} for i in range(21)]},
            "body.interviewers",
            id="21-interviewers",
        ),
        pytest.param(
            {"interviewers": [{"name": "A", "x": 1}]}, "body.interviewers.0.x", id="unknown-inner"
        ),
        pytest.param(
            {"application_id": str(uuid.uuid4())}, "body.application_id", id="move-application"
        ),
    ],
)
async def test_patch_refuses_an_invalid_field_and_leaves_the_record(client, fields, field):
    user = await register(client)
    application = await create_application(client, user["headers"])
    created = await create_interview(client, user["headers"], application["id"], **FULL)

    response = await client.patch(
        f"/v1/interviews/{created['id']}", json=fields, headers=user["headers"]
    )

    assert field in bad_fields(response)
    again = await client.get(f"/v1/interviews/{created['id']}", headers=user["headers"])
    assert again.json() == created


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2026-11-01T10:00:00+02:00", "2026-11-01T08:00:00Z"),
        ("2026-11-01T01:00:00-05:30", "2026-11-01T06:30:00Z"),
        ("2026-11-01T08:00:00Z", "2026-11-01T08:00:00Z"),
        ("2026-11-01T08:00:00.250+00:00", "2026-11-01T08:00:00.250000Z"),
    ],
)
async def test_scheduled_at_is_returned_in_utc_with_z(client, sent, stored):
    user = await register(client)
    application = await create_application(client, user["headers"])

    created = await create_interview(client, user["headers"], application["id"], scheduled_at=sent)
    fetched = await client.get(f"/v1/interviews/{created['id']}", headers=user["headers"])
    listed = await client.get("/v1/interviews", headers=user["headers"])

    assert created["scheduled_at"] == stored
    assert fetched.json()["scheduled_at"] == stored
    assert listed.json()["items"][0]["scheduled_at"] == stored


async def test_patch_scheduled_at_with_an_offset_is_stored_in_utc(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    created = await create_interview(client, user["headers"], application["id"])

    response = await client.patch(
        f"/v1/interviews/{created['id']}",
        json={"scheduled_at": "2026-12-24T18:00:00+01:00"},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    assert response.json()["scheduled_at"] == "2026-12-24T17:00:00Z"


async def test_filter_by_application(client):
    user = await register(client)
    h = user["headers"]
    first = await create_application(client, h, company="First")
    second = await create_application(client, h, company="Second")
    a = await create_interview(client, h, first["id"], kind="phone_screen")
    b = await create_interview(client, h, first["id"], kind="technical")
    c = await create_interview(client, h, second["id"], kind="final")

    of_first = await client.get("/v1/interviews", params={"application_id": first["id"]}, headers=h)
    of_second = await client.get(
        "/v1/interviews", params={"application_id": second["id"]}, headers=h
    )
    of_unknown = await client.get(
        "/v1/interviews", params={"application_id": str(uuid.uuid4())}, headers=h
    )
    malformed = await client.get("/v1/interviews", params={"application_id": "nope"}, headers=h)

    assert {item["id"] for item in of_first.json()["items"]} == {a["id"], b["id"]}
    assert [item["id"] for item in of_second.json()["items"]] == [c["id"]]
    assert of_unknown.json()["items"] == []
    assert bad_fields(malformed) == {"query.application_id"}


async def test_another_users_application_is_422_and_nothing_is_created(client):
    owner = await register(client)
    other = await register(client)
    application = await create_application(client, owner["headers"])

    response = await client.post(
        "/v1/interviews",
        json={"application_id": application["id"], "kind": "technical"},
        headers=other["headers"],
    )

    assert bad_fields(response) == {"body.application_id"}
    for user in (owner, other):
        listed = await client.get("/v1/interviews", headers=user["headers"])
        assert listed.json()["items"] == []


async def test_an_unknown_application_is_422_naming_the_field(client):
    user = await register(client)

    response = await client.post(
        "/v1/interviews",
        json={"application_id": str(uuid.uuid4()), "kind": "technical"},
        headers=user["headers"],
    )

    assert assert_problem(response, 422)["type"].endswith("/reference-not-found")
    assert bad_fields(response) == {"body.application_id"}


async def test_a_deleted_application_is_422_and_nothing_is_created(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    await client.delete(f"/v1/applications/{application['id']}", headers=user["headers"])

    response = await client.post(
        "/v1/interviews",
        json={"application_id": application["id"], "kind": "technical"},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"body.application_id"}
    assert (await client.get("/v1/interviews", headers=user["headers"])).json()["items"] == []


async def test_deleting_the_application_deletes_its_interviews(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h)
    kept_application = await create_application(client, h, company="Kept")
    gone = await create_interview(client, h, application["id"])
    kept = await create_interview(client, h, kept_application["id"])

    await client.delete(f"/v1/applications/{application['id']}", headers=h)

    assert_problem(await client.get(f"/v1/interviews/{gone['id']}", headers=h), 404)
    listed = await client.get("/v1/interviews", headers=h)
    assert [item["id"] for item in listed.json()["items"]] == [kept["id"]]


async def test_client_supplied_id_same_body_then_another_body(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    body = {**FULL, "id": str(uuid.uuid4()), "application_id": application["id"]}
    first = await client.post("/v1/interviews", json=body, headers=user["headers"])
    assert first.status_code == 201, first.text

    again = await client.post("/v1/interviews", json=body, headers=user["headers"])
    other = await client.post(
        "/v1/interviews", json={**body, "self_rating": 1}, headers=user["headers"]
    )

    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert_problem(other, 409)
