"""The import budget: every record an import lists (timeline entries included, present or
not, dry runs too) is spent from the account's RATE_LIMIT_IMPORT_RECORDS_PER_USER; beyond it
429 with Retry-After, nothing imported and nothing spent. The write limit still counts an
import as one write. Each test sets a small budget on an app of its own."""

import uuid
from typing import Any

import httpx
import pytest

from tests.helpers import assert_problem, client_of, register
from tests.openapi_validation import OpenAPIResponseChecker

BUDGET = 10


def exported_application() -> dict[str, Any]:
    """An application as GET /v1/me/export lists it."""
    return {
        "id": str(uuid.uuid4()),
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


def timeline_entry(application_id: str) -> dict[str, Any]:
    """The first line of an application's timeline, as the export lists it."""
    return {
        "id": str(uuid.uuid4()),
        "application_id": application_id,
        "from_stage": None,
        "to_stage": "applied",
        "changed_at": "2026-10-01T09:00:00Z",
        "cause": "user",
        "outcome_id": None,
    }


def document(records: int) -> dict[str, Any]:
    applications = [exported_application() for _ in range(records)]
    return {"format": "rebound-export", "version": 1, "applications": applications}


async def imported(client: httpx.AsyncClient, body: Any, headers: Any, **params: Any) -> Any:
    response = await client.post("/v1/me/import", json=body, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def application_ids(client: httpx.AsyncClient, headers: Any) -> set[str]:
    response = await client.get("/v1/applications", params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def assert_rate_limited(response: httpx.Response) -> None:
    body = assert_problem(response, 429)
    assert body["type"].endswith("/rate-limited")
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 3600
    assert str(retry_after) in body["detail"]


def limited_client(app: Any) -> httpx.AsyncClient:
    client = client_of(app)
    client.event_hooks["response"].append(OpenAPIResponseChecker())
    return client


@pytest.fixture
async def client(app_with: Any) -> Any:
    """A client of an app whose accounts may import BUDGET records an hour."""
    app = app_with(rate_limit_import_records_per_user=f"{BUDGET}/hour")
    async with limited_client(app) as http:
        yield http


async def test_an_import_beyond_the_budget_is_refused_and_stores_nothing(client):
    h = (await register(client))["headers"]
    await imported(client, document(8), h)
    before = await application_ids(client, h)
    late = document(5)

    refused = await client.post("/v1/me/import", json=late, headers=h)

    assert_rate_limited(refused)
    assert await application_ids(client, h) == before
    # Refused, it spent nothing: what is left of the budget still imports.
    await imported(client, document(2), h)


async def test_every_record_listed_counts_present_or_not_and_dry_runs_too(client):
    h = (await register(client))["headers"]
    body = {**document(2), "timeline": []}
    await imported(client, body, h)  # 2
    again = await imported(client, body, h)  # 4: unchanged records count
    assert again["unchanged"]["applications"] == 2
    await imported(client, body, h, dry_run=True)  # 6
    timeline = [timeline_entry(record["id"]) for record in body["applications"]]
    await imported(client, {**body, "timeline": timeline}, h)  # 10: timeline entries count

    assert_rate_limited(await client.post("/v1/me/import", json=document(1), headers=h))


async def test_the_budget_is_per_account(client):
    spent = (await register(client))["headers"]
    await imported(client, document(BUDGET), spent)
    other = (await register(client))["headers"]

    await imported(client, document(BUDGET), other)

    assert_rate_limited(await client.post("/v1/me/import", json=document(1), headers=spent))


async def test_a_document_larger_than_the_whole_budget_is_refused_for_good(client):
    h = (await register(client))["headers"]

    response = await client.post("/v1/me/import", json=document(BUDGET + 1), headers=h)

    body = assert_problem(response, 413)
    assert "split" in body["detail"]
    assert await application_ids(client, h) == set()


async def test_the_write_limit_counts_an_import_as_one_write(app_with):
    app = app_with(rate_limit_writes_per_user="2/minute")
    async with limited_client(app) as client:
        h = (await register(client))["headers"]

        await imported(client, document(BUDGET), h)
        created = await client.post(
            "/v1/applications", json={"company": "Acme", "role_title": "SRE"}, headers=h
        )
        third = await client.post(
            "/v1/applications", json={"company": "Acme", "role_title": "SRE"}, headers=h
        )

    assert created.status_code == 201, created.text
    assert_rate_limited(third)
