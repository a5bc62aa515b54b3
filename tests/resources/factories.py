"""Arrange with the API: create one record of each resource and return its JSON body.

Each helper sends a valid minimal body (override or add any field as a keyword), asserts
201 and returns the created record. Shared by every resources test module: keep it stable.
"""

from typing import Any

import httpx

JsonBody = dict[str, Any]


async def _create(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], body: JsonBody
) -> JsonBody:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def create_application(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> JsonBody:
    """An application (defaults: Acme, Engineer)."""
    body = {"company": "Acme", "role_title": "Engineer", **fields}
    return await _create(client, "/v1/applications", headers, body)


async def create_interview(
    client: httpx.AsyncClient, headers: dict[str, str], application_id: str, **fields: Any
) -> JsonBody:
    """An interview for `application_id` (default kind: technical)."""
    body = {"application_id": application_id, "kind": "technical", **fields}
    return await _create(client, "/v1/interviews", headers, body)


async def create_outcome(
    client: httpx.AsyncClient, headers: dict[str, str], application_id: str, **fields: Any
) -> JsonBody:
    """An outcome for `application_id` (default: a rejection received 2026-11-20)."""
    body = {
        "application_id": application_id,
        "kind": "rejection",
        "received_on": "2026-11-20",
        **fields,
    }
    return await _create(client, "/v1/outcomes", headers, body)


async def create_feedback(
    client: httpx.AsyncClient, headers: dict[str, str], application_id: str, **fields: Any
) -> JsonBody:
    """A feedback conversation for `application_id` (default contact: Bob)."""
    body = {"application_id": application_id, "contact_name": "Bob", **fields}
    return await _create(client, "/v1/feedback-conversations", headers, body)


async def create_reflection(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> JsonBody:
    """A reflection; pass `application_id` and/or `outcome_id` to attach it."""
    body = {"diagnosis": "unsure", **fields}
    return await _create(client, "/v1/reflections", headers, body)
