"""GET /v1/agenda over HTTP: the document's shape, its parameters, and who may read it."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.agenda.support import create_contact
from tests.helpers import assert_problem, bad_fields, bearer, register
from tests.resources.factories import (
    create_application,
    create_interview,
    create_outcome,
    create_reflection,
)

KINDS = [
    "feedback_awaiting_answer",
    "call_upcoming",
    "interview_upcoming",
    "stay_in_touch_due",
    "contact_follow_up_due",
    "next_step_due",
    "next_step_open",
    "possibly_ghosted",
    "reflection_missing",
]


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


async def test_the_agenda_needs_a_token(client):
    assert_problem(await client.get("/v1/agenda"), 401)
    assert_problem(await client.get("/v1/agenda", headers=bearer("not-a-token")), 401)


async def test_an_empty_agenda_still_says_what_day_it_is_where_the_user_is(client):
    user = await register(client, timezone="Pacific/Auckland")
    before = today_in("Pacific/Auckland")

    response = await client.get("/v1/agenda", headers=user["headers"])

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["today"] in {before.isoformat(), today_in("Pacific/Auckland").isoformat()}
    assert body == {
        "items": [],
        "counts": {**dict.fromkeys(KINDS, 0), "total": 0},
        "today": body["today"],
        "timezone": "Pacific/Auckland",
    }


async def test_items_link_their_records_and_come_overdue_first(client):
    user = await register(client)
    headers = user["headers"]
    today = today_in("UTC")
    application = await create_application(
        client, headers, company="Acme", role_title="Backend engineer"
    )
    app_id = application["id"]
    in_two_days = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    interview = await create_interview(
        client, headers, app_id, scheduled_at=in_two_days.isoformat().replace("+00:00", "Z")
    )
    outcome = await create_outcome(
        client, headers, app_id, received_on=(today - timedelta(days=2)).isoformat()
    )
    contact = await create_contact(
        client, headers, name="Lee", next_follow_up_on=(today - timedelta(days=3)).isoformat()
    )
    reflection = await create_reflection(
        client, headers, application_id=app_id, next_steps=[{"text": "Practise stories"}]
    )

    response = await client.get("/v1/agenda", headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["kind"] for item in body["items"]] == [
        "contact_follow_up_due",
        "reflection_missing",
        "interview_upcoming",
        "next_step_open",
    ]
    assert [item["record"] for item in body["items"]] == [
        {
            "type": "contact",
            "id": contact["id"],
            "application_id": None,
            "next_step_index": None,
            "next_step_id": None,
        },
        {
            "type": "outcome",
            "id": outcome["id"],
            "application_id": app_id,
            "next_step_index": None,
            "next_step_id": None,
        },
        {
            "type": "interview",
            "id": interview["id"],
            "application_id": app_id,
            "next_step_index": None,
            "next_step_id": None,
        },
        {
            "type": "reflection",
            "id": reflection["id"],
            "application_id": app_id,
            "next_step_index": 0,
            "next_step_id": reflection["next_steps"][0]["id"],
        },
    ]
    upcoming = body["items"][2]
    assert upcoming.keys() == {"kind", "title", "reason", "due_on", "due_at", "overdue", "record"}
    assert upcoming["title"] == "Acme — Backend engineer"
    assert upcoming["due_at"] == in_two_days.isoformat().replace("+00:00", "Z")
    assert upcoming["due_on"] == in_two_days.date().isoformat()
    assert upcoming["overdue"] is False
    assert [item["overdue"] for item in body["items"]] == [True, True, False, False]
    assert body["items"][3]["due_on"] is None
    assert all(item["reason"] for item in body["items"])
    assert body["counts"]["total"] == 4


async def test_the_limit_applies_per_kind_and_the_counts_stay_complete(client):
    user = await register(client)
    yesterday = (today_in("UTC") - timedelta(days=1)).isoformat()
    for _ in range(3):
        await create_contact(client, user["headers"], next_follow_up_on=yesterday)

    response = await client.get("/v1/agenda", params={"limit": 1}, headers=user["headers"])

    body = response.json()
    assert len(body["items"]) == 1
    assert body["counts"]["contact_follow_up_due"] == 3


async def test_another_users_records_never_appear(client):
    owner, other = await register(client), await register(client)
    application = await create_application(client, owner["headers"])
    await create_outcome(client, owner["headers"], application["id"])
    await create_contact(client, owner["headers"], next_follow_up_on=today_in("UTC").isoformat())

    response = await client.get("/v1/agenda", headers=other["headers"])

    assert response.json()["items"] == []
    assert response.json()["counts"]["total"] == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("feedback_wait_days", 0),
        ("feedback_wait_days", 91),
        ("quiet_days", 0),
        ("quiet_days", 366),
        ("horizon_days", -1),
        ("horizon_days", 61),
        ("limit", 0),
        ("limit", 201),
        ("horizon_days", "soon"),
    ],
)
async def test_parameters_out_of_range_are_refused(client, name, value):
    user = await register(client)

    response = await client.get("/v1/agenda", params={name: value}, headers=user["headers"])

    assert bad_fields(response) == {f"query.{name}"}


@pytest.mark.parametrize(
    "params",
    [
        {"feedback_wait_days": 1, "quiet_days": 1, "horizon_days": 0, "limit": 1},
        {"feedback_wait_days": 90, "quiet_days": 365, "horizon_days": 60, "limit": 200},
    ],
)
async def test_parameters_at_their_limits_are_accepted(client, params):
    user = await register(client)

    response = await client.get("/v1/agenda", params=params, headers=user["headers"])

    assert response.status_code == 200, response.text


async def test_the_response_schema_is_documented(app):
    document = app.openapi()
    operation = document["paths"]["/v1/agenda"]["get"]
    schemas = document["components"]["schemas"]

    assert operation["operationId"] == "getAgenda"
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Agenda"
    }
    assert {"401", "422"} <= operation["responses"].keys()
    assert {p["name"] for p in operation["parameters"]} == {
        "feedback_wait_days",
        "quiet_days",
        "horizon_days",
        "limit",
    }
    assert set(schemas["AgendaKind"]["enum"]) == set(KINDS)
    assert set(schemas["AgendaCounts"]["required"]) == {*KINDS, "total"}
    assert set(schemas["AgendaItem"]["required"]) >= {"kind", "title", "reason", "record"}
    assert all(
        schemas["AgendaItem"]["properties"][name].get("description")
        for name in ("title", "reason", "due_on", "due_at", "overdue")
    )
