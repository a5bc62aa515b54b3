"""Arrange contacts with the API; shared by the contacts test modules."""

from typing import Any

import httpx

JsonBody = dict[str, Any]

FULL: JsonBody = {
    "name": "Dana Reyes",
    "role": "Engineering Manager",
    "company": "Globex",
    "email": "dana@globex.example",
    "phone": "+49 (30) 1234-5678",
    "links": ["https://www.linkedin.com/in/dana", "http://dana.example/blog"],
    "relationship": "hiring_manager",
    "notes": "Met at the Berlin meetup; happy to chat again in spring.",
    "last_contacted_on": "2026-11-02",
    "next_follow_up_on": "2027-02-01",
    "tags": ["berlin", "platform"],
}


async def create_contact(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> JsonBody:
    """A contact (default: Dana, relationship `other`); override any field as a keyword."""
    response = await client.post("/v1/contacts", json={"name": "Dana", **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def list_contacts(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[JsonBody]:
    """Every contact of a list, following next_cursor to the end."""
    items: list[JsonBody] = []
    query: dict[str, Any] = dict(params)
    for _ in range(100):
        response = await client.get("/v1/contacts", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        query["cursor"] = page["next_cursor"]
    raise AssertionError("the list never ends")
