"""Arrange through the API, then read the agenda at a chosen moment by calling the service
with a fixed `now` (the clock cannot be moved over HTTP)."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from app.agenda.models import Agenda, AgendaItem, AgendaParams
from app.agenda.service import build_agenda
from app.core.identity import Caller
from tests.resources.factories import (
    create_application,
    create_feedback,
    create_interview,
    create_outcome,
    create_reflection,
)

# A fixed moment for the rules: noon UTC on 2026-12-10, the same date for a UTC user.
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 12, 10)


async def agenda_at(app: Any, user: dict[str, Any], now: datetime, **params: Any) -> Agenda:
    """The user's agenda as the service computes it at `now`."""
    caller = Caller(id=uuid.UUID(user["user"]["id"]), session_id=None)
    return await build_agenda(app.state.database, caller, AgendaParams(**params), now)


def of_kind(agenda: Agenda, kind: str) -> list[AgendaItem]:
    return [item for item in agenda.items if item.kind == kind]


def ids_of(agenda: Agenda, kind: str) -> list[str]:
    return [str(item.record.id) for item in of_kind(agenda, kind)]


def at_local(day: date, zone: str, clock: time = time()) -> datetime:
    """`clock` o'clock on `day` in `zone`, as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_day(timestamp: str, zone: str) -> date:
    return datetime.fromisoformat(timestamp).astimezone(ZoneInfo(zone)).date()


async def create_contact(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    """A contact (default name: Dana)."""
    response = await client.post("/v1/contacts", json={"name": "Dana", **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def delete(client: httpx.AsyncClient, headers: dict[str, str], path: str) -> None:
    response = await client.delete(path, headers=headers)
    assert response.status_code == 204, response.text


async def one_of_each_kind(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> tuple[datetime, dict[str, str]]:
    """Records that put one item of every kind on the agenda at the moment returned (noon UTC,
    30 days after they were created), and for each kind the path of the record behind it."""
    quiet = await create_application(client, headers, company="Quiet", stage="applied")
    today = local_day(quiet["updated_at"], "UTC") + timedelta(days=30)
    now = at_local(today, "UTC", time(12))

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    def moment(offset: timedelta) -> str:
        return (now + offset).isoformat().replace("+00:00", "Z")

    # Rejected: its outcome moved it out of the stages that can be ghosted.
    rejected = await create_application(client, headers, company="Acme", stage="interviewing")
    app_id = rejected["id"]
    outcome = await create_outcome(client, headers, app_id, received_on=day(-2))
    waiting = await create_feedback(
        client, headers, app_id, status="requested", requested_on=day(-7)
    )
    call = await create_feedback(
        client, headers, app_id, status="scheduled", scheduled_at=moment(timedelta(days=1))
    )
    stay = await create_feedback(
        client, headers, app_id, status="completed", stay_in_touch=True, follow_up_on=day(0)
    )
    interview = await create_interview(
        client, headers, app_id, scheduled_at=moment(timedelta(days=2))
    )
    contact = await create_contact(client, headers, next_follow_up_on=day(1))
    reflection = await create_reflection(
        client,
        headers,
        application_id=app_id,
        next_steps=[{"text": "Dated", "due_on": day(3)}, {"text": "Undated"}],
    )
    return now, {
        "feedback_awaiting_answer": f"/v1/feedback-conversations/{waiting['id']}",
        "call_upcoming": f"/v1/feedback-conversations/{call['id']}",
        "interview_upcoming": f"/v1/interviews/{interview['id']}",
        "stay_in_touch_due": f"/v1/feedback-conversations/{stay['id']}",
        "contact_follow_up_due": f"/v1/contacts/{contact['id']}",
        "next_step_due": f"/v1/reflections/{reflection['id']}",
        "next_step_open": f"/v1/reflections/{reflection['id']}",
        "possibly_ghosted": f"/v1/applications/{quiet['id']}",
        "reflection_missing": f"/v1/outcomes/{outcome['id']}",
    }
