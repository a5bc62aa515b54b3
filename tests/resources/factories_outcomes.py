"""Arrange through the API: applications, outcomes, feedback conversations and reflections
for the outcome, feedback and reflection tests."""

from typing import Any

import httpx

Headers = dict[str, str]


async def _created(
    client: httpx.AsyncClient, path: str, headers: Headers, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def create_application(
    client: httpx.AsyncClient, headers: Headers, **fields: Any
) -> dict[str, Any]:
    body = {"company": "Acme", "role_title": "Backend Engineer", **fields}
    return await _created(client, "/v1/applications", headers, body)


async def create_outcome(
    client: httpx.AsyncClient, headers: Headers, application_id: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "application_id": application_id,
        "kind": "rejection",
        "received_on": "2026-11-20",
        **fields,
    }
    return await _created(client, "/v1/outcomes", headers, body)


async def create_feedback(
    client: httpx.AsyncClient, headers: Headers, application_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"application_id": application_id, "contact_name": "Bob Recruiter", **fields}
    return await _created(client, "/v1/feedback-conversations", headers, body)


async def create_reflection(
    client: httpx.AsyncClient, headers: Headers, **fields: Any
) -> dict[str, Any]:
    return await _created(client, "/v1/reflections", headers, fields)


async def sync_token(client: httpx.AsyncClient, headers: Headers, collection: str) -> str:
    """The token a client holds after syncing `collection` (`/v1/<collection>`) now."""
    response = await client.get(f"/v1/{collection}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["sync_token"]
