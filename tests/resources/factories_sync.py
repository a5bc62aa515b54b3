"""Helpers for the sync, concurrency, idempotency and query-plan tests: valid bodies for each
collection, and a client that follows cursors and sync tokens to the end."""

from typing import Any

import httpx

COLLECTIONS = ("applications", "interviews", "outcomes", "feedback-conversations", "reflections")
DEPENDENT_COLLECTIONS = COLLECTIONS[1:]

# A small change each collection accepts as a PATCH body.
UPDATES: dict[str, dict[str, Any]] = {
    "applications": {"notes": "Followed up with the recruiter."},
    "interviews": {"notes": "Asked about system design."},
    "outcomes": {"disappointment": 6},
    "feedback-conversations": {"takeaways": "Practise shorter answers."},
    "reflections": {"mood": 7},
}


def create_body(collection: str, application_id: str | None, n: int = 0) -> dict[str, Any]:
    """A valid create body; every dependent collection hangs off `application_id`."""
    if collection == "applications":
        return {"company": f"Company {n}", "role_title": f"Engineer {n}", "tags": ["sync"]}
    if collection == "interviews":
        return {"application_id": application_id, "kind": "technical", "notes": f"round {n}"}
    if collection == "outcomes":
        return {
            "application_id": application_id,
            "kind": "on_hold",
            "received_on": "2026-03-01",
            "disappointment": n % 11,
        }
    if collection == "feedback-conversations":
        return {"application_id": application_id, "contact_name": f"Contact {n}"}
    if collection == "reflections":
        return {"application_id": application_id, "went_well": [f"point {n}"]}
    raise ValueError(collection)


async def create_application(
    client: httpx.AsyncClient, headers: dict[str, str], n: int = 0, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/applications", json={**create_body("applications", None, n), **fields}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def create_record(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    collection: str,
    application_id: str | None,
    n: int = 0,
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/{collection}", json=create_body(collection, application_id, n), headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def parent_for(
    client: httpx.AsyncClient, headers: dict[str, str], collection: str
) -> str | None:
    """The application a dependent record needs (None for applications themselves)."""
    if collection == "applications":
        return None
    return (await create_application(client, headers, n=999))["id"]


async def walk(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    collection: str,
    updated_since: str | None = None,
    limit: int = 200,
    **filters: Any,
) -> tuple[list[dict[str, Any]], str, int]:
    """Follow `next_cursor` to the end: (every item, the last page's sync_token, pages)."""
    params: dict[str, Any] = {"limit": limit, **filters}
    if updated_since is not None:
        params["updated_since"] = updated_since
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        response = await client.get(f"/v1/{collection}", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        pages += 1
        assert pages <= 1000, "the cursor never ends"
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items, page["sync_token"], pages
        params["cursor"] = page["next_cursor"]


async def sync_token_of(client: httpx.AsyncClient, headers: dict[str, str], collection: str) -> str:
    """A fresh token: what a client holds after reading the whole collection."""
    return (await walk(client, headers, collection))[1]
