"""Per-account record quotas: a collection holds at most QUOTA_RECORDS_PER_COLLECTION live
records of one account. Every create route and the import answer 422 `quota-exceeded` beyond
it, naming the collection and the limit, and write nothing; a deleted record frees its slot.
Each test sets a small quota on an app of its own."""

import uuid
from typing import Any

import httpx
import pytest

from tests.helpers import assert_problem, client_of, register
from tests.openapi_validation import OpenAPIResponseChecker

QUOTA = 3
APPLICATION = {"company": "Acme", "role_title": "Engineer"}


def assert_quota_exceeded(response: httpx.Response, collection: str, limit: int) -> None:
    body = assert_problem(response, 422)
    assert body["type"].endswith("/quota-exceeded")
    assert collection in body["detail"]
    assert str(limit) in body["detail"]


async def created(client: httpx.AsyncClient, path: str, body: Any, headers: Any) -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def listed(client: httpx.AsyncClient, path: str, headers: Any) -> list[str]:
    response = await client.get(path, params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
async def client(app_with: Any) -> Any:
    """A client of an app whose accounts hold at most QUOTA records per collection; its
    responses held to openapi/openapi.json like the suite's own client's."""
    async with client_of(app_with(quota_records_per_collection=QUOTA)) as http:
        http.event_hooks["response"].append(OpenAPIResponseChecker())
        yield http


async def test_the_create_beyond_the_quota_is_refused_and_stores_nothing(client):
    user = await register(client)
    h = user["headers"]
    kept = [(await created(client, "/v1/applications", APPLICATION, h))["id"] for _ in range(3)]

    refused = await client.post("/v1/applications", json=APPLICATION, headers=h)

    assert_quota_exceeded(refused, "applications", QUOTA)
    assert sorted(await listed(client, "/v1/applications", h)) == sorted(kept)


async def test_deleting_a_record_frees_its_slot(client):
    h = (await register(client))["headers"]
    first, *_ = [await created(client, "/v1/applications", APPLICATION, h) for _ in range(3)]
    deleted = await client.delete(f"/v1/applications/{first['id']}", headers=h)
    assert deleted.status_code == 204, deleted.text

    again = await client.post("/v1/applications", json=APPLICATION, headers=h)

    assert again.status_code == 201, again.text
    assert len(await listed(client, "/v1/applications", h)) == QUOTA


async def test_records_changed_since_the_last_create_still_leave_their_room(client):
    """Edits between creates must not make the collection look fuller than it is."""
    h = (await register(client))["headers"]
    records = [await created(client, "/v1/applications", APPLICATION, h) for _ in range(2)]
    for round_ in range(3):
        for record in records:
            changed = await client.patch(
                f"/v1/applications/{record['id']}", json={"notes": f"edit {round_}"}, headers=h
            )
            assert changed.status_code == 200, changed.text

    third = await client.post("/v1/applications", json=APPLICATION, headers=h)
    fourth = await client.post("/v1/applications", json=APPLICATION, headers=h)

    assert third.status_code == 201, third.text
    assert_quota_exceeded(fourth, "applications", QUOTA)


async def test_a_full_collection_still_answers_a_resent_client_id_with_its_record(client):
    h = (await register(client))["headers"]
    body = {**APPLICATION, "id": str(uuid.uuid4())}
    first = await created(client, "/v1/applications", body, h)
    for _ in range(2):
        await created(client, "/v1/applications", APPLICATION, h)

    resent = await client.post("/v1/applications", json=body, headers=h)

    assert resent.status_code == 200, resent.text
    assert resent.json() == first


async def test_the_quota_is_per_account_and_per_collection(client):
    full = (await register(client))["headers"]
    for _ in range(3):
        await created(client, "/v1/applications", APPLICATION, full)
    other = (await register(client))["headers"]

    assert (await client.post("/v1/applications", json=APPLICATION, headers=other)).is_success
    assert (await client.post("/v1/contacts", json={"name": "Dana"}, headers=full)).is_success


@pytest.mark.parametrize(
    ("path", "collection"),
    [
        ("/v1/contacts", "contacts"),
        ("/v1/interviews", "interviews"),
        ("/v1/outcomes", "outcomes"),
        ("/v1/feedback-conversations", "feedback conversations"),
        ("/v1/reflections", "reflections"),
    ],
)
async def test_every_collection_has_the_quota(client, path, collection):
    h = (await register(client))["headers"]
    application = await created(client, "/v1/applications", APPLICATION, h)
    body = {
        "/v1/contacts": {"name": "Dana"},
        "/v1/interviews": {"application_id": application["id"], "kind": "technical"},
        "/v1/outcomes": {
            "application_id": application["id"],
            "kind": "on_hold",
            "received_on": "2026-11-20",
        },
        "/v1/feedback-conversations": {
            "application_id": application["id"],
            "contact_name": "Bob",
        },
        "/v1/reflections": {"diagnosis": "unsure"},
    }[path]
    kept = [(await created(client, path, body, h))["id"] for _ in range(QUOTA)]

    refused = await client.post(path, json=body, headers=h)

    assert_quota_exceeded(refused, collection, QUOTA)
    assert sorted(await listed(client, path, h)) == sorted(kept)


# --- import ---------------------------------------------------------------------------------------
def exported_application(record_id: str | None = None) -> dict[str, Any]:
    """An application as GET /v1/me/export lists it."""
    return {
        "id": record_id or str(uuid.uuid4()),
        "company": "Globex",
        "role_title": "Platform engineer",
        "source": "other",
        "stage": "applied",
        "interest": 3,
        "tags": [],
        "created_at": "2026-10-01T09:00:00Z",
        "updated_at": "2026-10-01T09:00:00Z",
        "version": 1,
    }


def document(*applications: dict[str, Any]) -> dict[str, Any]:
    return {"format": "rebound-export", "version": 1, "applications": list(applications)}


async def test_an_import_beyond_the_quota_is_refused_and_imports_nothing(client):
    h = (await register(client))["headers"]
    held = [(await created(client, "/v1/applications", APPLICATION, h))["id"] for _ in range(2)]
    body = document(exported_application(), exported_application())

    for dry_run in (True, False):
        refused = await client.post(
            "/v1/me/import", params={"dry_run": dry_run}, json=body, headers=h
        )

        assert_quota_exceeded(refused, "applications", QUOTA)
        assert [error["field"] for error in refused.json()["errors"]] == ["body.applications"]
    assert sorted(await listed(client, "/v1/applications", h)) == sorted(held)


async def test_an_import_counts_only_the_records_it_adds(client):
    h = (await register(client))["headers"]
    held = [await created(client, "/v1/applications", APPLICATION, h) for _ in range(2)]
    exported = (await client.get("/v1/me/export", headers=h)).json()
    body = {**document(*exported["applications"], exported_application()), "timeline": []}

    imported = await client.post("/v1/me/import", json=body, headers=h)

    assert imported.status_code == 200, imported.text
    assert imported.json()["created"]["applications"] == 1
    assert imported.json()["unchanged"]["applications"] == len(held)


async def test_an_import_that_brings_back_deleted_records_counts_them(client):
    h = (await register(client))["headers"]
    held = [await created(client, "/v1/applications", APPLICATION, h) for _ in range(3)]
    exported = (await client.get("/v1/me/export", headers=h)).json()
    deleted = await client.delete(f"/v1/applications/{held[0]['id']}", headers=h)
    assert deleted.status_code == 204
    await created(client, "/v1/applications", APPLICATION, h)  # the freed slot, taken again

    refused = await client.post(
        "/v1/me/import", json={**document(*exported["applications"]), "timeline": []}, headers=h
    )

    assert_quota_exceeded(refused, "applications", QUOTA)
    assert held[0]["id"] not in await listed(client, "/v1/applications", h)
