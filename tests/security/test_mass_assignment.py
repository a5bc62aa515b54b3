"""Mass assignment: a client can never set what the server owns (owner, id on update,
timestamps, version, change sequence, tombstone, password hash). Request bodies are strict,
so each such field is refused with 422 naming it, and nothing is stored."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.helpers import PASSWORD, assert_problem, register
from tests.resources.factories import create_application

Headers = dict[str, str]
BodyFor = Callable[[httpx.AsyncClient, Headers], Awaitable[dict[str, Any]]]

PAST = "2020-01-02T03:04:05Z"
SERVER_OWNED = {  # a plausible value for each field the server alone writes
    "user_id": None,  # filled with another real user's id
    "created_at": PAST,
    "updated_at": PAST,
    "version": 99,
    "change_seq": 99,
    "deleted_at": PAST,
}


async def an_application_body(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    return {"company": "Acme", "role_title": "Engineer"}


async def with_application(
    client: httpx.AsyncClient, headers: Headers, **fields: Any
) -> dict[str, Any]:
    application = await create_application(client, headers)
    return {"application_id": application["id"], **fields}


async def an_interview_body(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    return await with_application(client, headers, kind="technical")


async def an_outcome_body(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    return await with_application(client, headers, kind="rejection", received_on="2026-11-20")


async def a_feedback_body(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    return await with_application(client, headers, contact_name="Bob")


async def a_reflection_body(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    return {"diagnosis": "unsure"}


async def a_contact_body(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    return {"name": "Dana"}


# (collection, a valid create body, a valid PATCH body)
RESOURCES = [
    pytest.param("applications", an_application_body, {"notes": "n"}, id="applications"),
    pytest.param("interviews", an_interview_body, {"notes": "n"}, id="interviews"),
    pytest.param("outcomes", an_outcome_body, {"stated_reason": "n"}, id="outcomes"),
    pytest.param(
        "feedback-conversations", a_feedback_body, {"takeaways": "n"}, id="feedback-conversations"
    ),
    pytest.param("reflections", a_reflection_body, {"mood": 3}, id="reflections"),
    pytest.param("contacts", a_contact_body, {"notes": "n"}, id="contacts"),
]


async def ids_of(client: httpx.AsyncClient, headers: Headers, collection: str) -> set[str]:
    response = await client.get(f"/v1/{collection}", params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def refused(response: httpx.Response, field: str) -> None:
    errors = assert_problem(response, 422)["errors"]
    assert {"field": f"body.{field}", "code": "extra_forbidden"} in [
        {"field": e["field"], "code": e["code"]} for e in errors
    ], errors


@pytest.mark.parametrize(("collection", "body_for", "patch"), RESOURCES)
async def test_a_create_cannot_set_server_owned_fields(
    client: httpx.AsyncClient, collection: str, body_for: BodyFor, patch: dict[str, Any]
) -> None:
    me, other = await register(client), await register(client)
    body = await body_for(client, me["headers"])
    before = await ids_of(client, me["headers"], collection)
    for field, value in SERVER_OWNED.items():
        value = other["user"]["id"] if field == "user_id" else value
        response = await client.post(
            f"/v1/{collection}", json={**body, field: value}, headers=me["headers"]
        )
        refused(response, field)
    assert await ids_of(client, me["headers"], collection) == before
    assert await ids_of(client, other["headers"], collection) == set()


@pytest.mark.parametrize(("collection", "body_for", "patch"), RESOURCES)
async def test_an_update_cannot_set_server_owned_fields(
    client: httpx.AsyncClient, collection: str, body_for: BodyFor, patch: dict[str, Any]
) -> None:
    me, other = await register(client), await register(client)
    created = await client.post(
        f"/v1/{collection}", json=await body_for(client, me["headers"]), headers=me["headers"]
    )
    assert created.status_code == 201, created.text
    url = f"/v1/{collection}/{created.json()['id']}"
    stored = await client.get(url, headers=me["headers"])
    attempts = {**SERVER_OWNED, "user_id": other["user"]["id"], "id": str(uuid.uuid4())}
    for field, value in attempts.items():
        # Alongside a valid change: the whole body is refused, not just the bad field.
        response = await client.patch(url, json={**patch, field: value}, headers=me["headers"])
        refused(response, field)
    after = await client.get(url, headers=me["headers"])
    assert after.status_code == 200
    assert after.json() == stored.json()
    assert after.headers["etag"] == stored.headers["etag"]
    assert await ids_of(client, other["headers"], collection) == set()


PROFILE_OWNED = {
    **SERVER_OWNED,
    "id": "00000000-0000-4000-8000-000000000001",
    "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    "password": "another password entirely",
}


async def test_the_profile_cannot_set_server_owned_fields(client: httpx.AsyncClient) -> None:
    me, other = await register(client), await register(client)
    stored = await client.get("/v1/me", headers=me["headers"])
    for field, value in PROFILE_OWNED.items():
        value = other["user"]["id"] if field == "user_id" else value
        response = await client.patch(
            "/v1/me", json={"display_name": "Mallory", field: value}, headers=me["headers"]
        )
        refused(response, field)
    after = await client.get("/v1/me", headers=me["headers"])
    assert after.json() == stored.json()
    signed_in = await client.post(
        "/v1/auth/token", data={"username": me["email"], "password": PASSWORD}
    )
    assert signed_in.status_code == 200, "the password is the one set at registration"


async def test_registration_cannot_set_server_owned_fields(client: httpx.AsyncClient) -> None:
    for field, value in {**PROFILE_OWNED, "user_id": str(uuid.uuid4())}.items():
        if field == "password":
            continue
        email = f"mallory-{uuid.uuid4().hex[:8]}@example.com"
        response = await client.post(
            "/v1/auth/register", json={"email": email, "password": PASSWORD, field: value}
        )
        refused(response, field)
        signed_in = await client.post(
            "/v1/auth/token", data={"username": email, "password": PASSWORD}
        )
        assert signed_in.status_code == 401, "no account was created"
