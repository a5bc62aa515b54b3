"""No N+1: every list-shaped GET runs as many SQL statements for a page of 2 records as for a
page of 21. Each case arranges `n` fully linked records with the API and names the request;
the statements the app executes during that one request are counted (through the engine or
the PostgreSQL read pool: tests/sql_capture.py).

A new list endpoint gets one line in CASES (and an arranger when none fits).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.shared import repository
from tests.helpers import register
from tests.sql_capture import captured

SMALL, LARGE = 2, 21
Headers = dict[str, str]
JsonBody = dict[str, Any]
# Arranges `n` records for the signed-in user; returns the path (and query) to GET.
Arrange = Callable[[httpx.AsyncClient, Headers, int], Awaitable[str]]


async def _post(client: httpx.AsyncClient, headers: Headers, path: str, body: JsonBody) -> JsonBody:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _soon(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(days=1, hours=hours)).isoformat()


class Linked:
    """One application and, on demand, the records that hang off it, each with every
    reference and list field filled (where a per-item lookup would show up)."""

    def __init__(self, client: httpx.AsyncClient, headers: Headers, number: int) -> None:
        self.client, self.headers, self.number = client, headers, number

    async def application(self) -> JsonBody:
        return await _post(
            self.client,
            self.headers,
            "/v1/applications",
            {
                "company": f"Company {self.number}",
                "role_title": "Backend engineer",
                "source": "referral",
                "referrer": "Dana",
                "stage": "interviewing",
                "tags": ["python", "remote"],
                "notes": "A note.",
            },
        )

    async def interview(self, application: JsonBody) -> JsonBody:
        return await _post(
            self.client,
            self.headers,
            "/v1/interviews",
            {
                "application_id": application["id"],
                "kind": "technical",
                "scheduled_at": _soon(self.number % 12),
                "interviewers": [{"name": "Dana Park", "role": "Staff engineer"}],
            },
        )

    async def outcome(self, application: JsonBody) -> JsonBody:
        return await _post(
            self.client,
            self.headers,
            "/v1/outcomes",
            {
                "application_id": application["id"],
                "kind": "rejection",
                "received_on": "2026-11-20",
                "reasons": [{"key": "stronger_candidate", "source": "stated"}],
                "feedback_offered": True,
            },
        )

    async def contact(self, application: JsonBody) -> JsonBody:
        return await _post(
            self.client,
            self.headers,
            "/v1/contacts",
            {
                "name": f"Contact {self.number}",
                "company": application["company"],
                "relationship": "recruiter",
                "application_ids": [application["id"]],
                "tags": ["recruiter"],
            },
        )

    async def feedback(self, application: JsonBody, outcome: JsonBody) -> JsonBody:
        contact = await self.contact(application)
        return await _post(
            self.client,
            self.headers,
            "/v1/feedback-conversations",
            {
                "application_id": application["id"],
                "outcome_id": outcome["id"],
                "contact_id": contact["id"],
                "status": "scheduled",
                "scheduled_at": _soon(self.number % 12),
                "answers": [{"question_key": "prepare_better", "answer": "More depth."}],
            },
        )

    async def reflection(self, application: JsonBody, outcome: JsonBody) -> JsonBody:
        return await _post(
            self.client,
            self.headers,
            "/v1/reflections",
            {
                "application_id": application["id"],
                "outcome_id": outcome["id"],
                "answers": [{"prompt_key": "what_learned", "answer": "Plan the design."}],
                "went_well": ["The coding round"],
                "diagnosis": "in_person",
                "next_steps": [{"text": "Practise a mock", "due_on": "2026-12-01"}],
            },
        )


async def applications(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    for number in range(n):
        await Linked(client, headers, number).application()
    return "/v1/applications?limit=50"


async def interviews(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    for number in range(n):
        linked = Linked(client, headers, number)
        await linked.interview(await linked.application())
    return "/v1/interviews?limit=50"


async def outcomes(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    for number in range(n):
        linked = Linked(client, headers, number)
        await linked.outcome(await linked.application())
    return "/v1/outcomes?limit=50"


async def feedback_conversations(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    for number in range(n):
        linked = Linked(client, headers, number)
        application = await linked.application()
        await linked.feedback(application, await linked.outcome(application))
    return "/v1/feedback-conversations?limit=50"


async def reflections(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    for number in range(n):
        linked = Linked(client, headers, number)
        application = await linked.application()
        await linked.reflection(application, await linked.outcome(application))
    return "/v1/reflections?limit=50"


async def contacts(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    for number in range(n):
        linked = Linked(client, headers, number)
        await linked.contact(await linked.application())
    return "/v1/contacts?limit=50"


def synced(arrange: Arrange) -> Arrange:
    """The same collection as a delta-sync page: what changed since a token taken first."""

    async def since_token(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
        probe = await arrange(client, headers, 0)
        token = (await client.get(probe, headers=headers)).json()["sync_token"]
        return f"{await arrange(client, headers, n)}&updated_since={token}"

    return since_token


async def timeline(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    """One application whose stage changed n - 1 times after it was created."""
    application = await Linked(client, headers, 0).application()
    stages = ["screening", "interviewing"]
    for step in range(n - 1):
        response = await client.patch(
            f"/v1/applications/{application['id']}",
            json={"stage": stages[step % 2]},
            headers=headers,
        )
        assert response.status_code == 200, response.text
    return f"/v1/applications/{application['id']}/timeline"


async def agenda(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    """n interviews coming up, n scheduled feedback calls and n rejections to reflect on."""
    for number in range(n):
        linked = Linked(client, headers, number)
        application = await linked.application()
        await linked.interview(application)
        await linked.feedback(application, await linked.outcome(application))
    return "/v1/agenda"


async def every_kind(client: httpx.AsyncClient, headers: Headers, n: int) -> None:
    """n applications, each with one record of every kind."""
    for number in range(n):
        linked = Linked(client, headers, number)
        application = await linked.application()
        await linked.interview(application)
        outcome = await linked.outcome(application)
        await linked.feedback(application, outcome)
        await linked.reflection(application, outcome)


async def export(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    await every_kind(client, headers, n)
    return "/v1/me/export"


async def insights(client: httpx.AsyncClient, headers: Headers, n: int) -> str:
    await every_kind(client, headers, n)
    return "/v1/insights"


def _items(body: JsonBody) -> int:
    return len(body["items"])


@dataclass(frozen=True)
class Case:
    arrange: Arrange
    size: Callable[[JsonBody], int] = _items  # how many records the response carries
    per_record: int = 1  # response entries per arranged record


CASES = {
    "applications": Case(applications),
    "interviews": Case(interviews),
    "outcomes": Case(outcomes),
    "feedback-conversations": Case(feedback_conversations),
    "reflections": Case(reflections),
    "contacts": Case(contacts),
    "applications sync": Case(synced(applications)),
    "interviews sync": Case(synced(interviews)),
    "outcomes sync": Case(synced(outcomes)),
    "feedback-conversations sync": Case(synced(feedback_conversations)),
    "reflections sync": Case(synced(reflections)),
    "contacts sync": Case(synced(contacts)),
    "timeline": Case(timeline),
    "agenda": Case(agenda, per_record=3),
    "export": Case(export, size=lambda body: len(body["applications"])),
    # Not a page, but read from every record: the same holds.
    "insights": Case(insights, size=lambda body: body["applications"]["total"]),
}


async def statements_for(client: httpx.AsyncClient, app: Any, case: Case, n: int) -> list[str]:
    """Arrange n records for a new user, then count the statements of one GET."""
    headers = (await register(client))["headers"]
    path = await case.arrange(client, headers, n)
    await client.get(path, headers=headers)  # warm: statement caches, pool connections
    with captured(app) as statements:
        response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert case.size(response.json()) == n * case.per_record
    assert statements, "no statement seen: the count would prove nothing"
    return [sql for sql, _ in statements]


@pytest.mark.parametrize("name", CASES)
async def test_a_list_runs_as_many_statements_for_2_records_as_for_21(client, app, name):
    case = CASES[name]
    small = await statements_for(client, app, case, SMALL)
    large = await statements_for(client, app, case, LARGE)

    assert len(large) == len(small), (
        f"{len(small)} statements for {SMALL} records, {len(large)} for {LARGE}:\n\n"
        + "\n\n".join(large)
    )


async def test_a_list_statement_is_built_once_per_shape(client):
    """Built anew per request, a page's SELECT is compiled and prepared anew too: on
    PostgreSQL the API worker grew by 40 MB per 500 lists and served a seventh of them."""
    user = await register(client)
    repository._list_statement.cache_clear()
    for _ in range(3):
        response = await client.get("/v1/applications", headers=user["headers"])
        assert response.status_code == 200
    info = repository._list_statement.cache_info()
    assert (info.misses, info.hits) == (1, 2)
