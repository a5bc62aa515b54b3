"""Each agenda rule, just inside and just outside its boundary, read at a fixed moment."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.agenda.support import (
    NOW,
    TODAY,
    agenda_at,
    at_local,
    create_contact,
    ids_of,
    local_day,
    of_kind,
)
from tests.helpers import register
from tests.resources.factories import (
    create_application,
    create_feedback,
    create_interview,
    create_outcome,
    create_reflection,
)


@pytest.fixture
async def user(client):
    return await register(client)


@pytest.fixture
async def application(client, user):
    return await create_application(
        client, user["headers"], company="Acme", role_title="Backend engineer"
    )


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def moment(offset: timedelta) -> str:
    return (NOW + offset).isoformat().replace("+00:00", "Z")


# --- feedback requests without an answer ----------------------------------------------------


async def test_a_feedback_request_needs_a_follow_up_from_the_seventh_day(
    app, client, user, application
):
    headers, app_id = user["headers"], application["id"]
    due = await create_feedback(
        client, headers, app_id, contact_name="Rita", status="requested", requested_on=day(-7)
    )
    await create_feedback(client, headers, app_id, status="requested", requested_on=day(-6))

    agenda = await agenda_at(app, user, NOW)

    [item] = of_kind(agenda, "feedback_awaiting_answer")
    assert item.record.model_dump(mode="json") == {
        "type": "feedback_conversation",
        "id": due["id"],
        "application_id": app_id,
        "next_step_index": None,
        "next_step_id": None,
    }
    assert item.title == "Acme — Backend engineer"
    assert "Rita" in item.reason and "7 days" in item.reason and "no_response" in item.reason
    assert (item.due_on, item.due_at, item.overdue) == (TODAY, None, False)
    assert agenda.counts.feedback_awaiting_answer == 1


async def test_the_feedback_wait_is_a_parameter_and_older_requests_are_overdue(
    app, client, user, application
):
    headers, app_id = user["headers"], application["id"]
    old = await create_feedback(client, headers, app_id, status="requested", requested_on=day(-9))
    recent = await create_feedback(
        client, headers, app_id, status="requested", requested_on=day(-3)
    )
    await create_feedback(client, headers, app_id, status="requested", requested_on=day(-2))

    agenda = await agenda_at(app, user, NOW, feedback_wait_days=3)

    assert ids_of(agenda, "feedback_awaiting_answer") == [old["id"], recent["id"]]
    first = of_kind(agenda, "feedback_awaiting_answer")[0]
    assert (first.due_on, first.overdue) == (TODAY - timedelta(days=6), True)


@pytest.mark.parametrize("status", ["planned", "scheduled", "completed", "declined", "no_response"])
async def test_only_requests_still_waiting_for_an_answer_need_a_follow_up(
    app, client, user, application, status
):
    await create_feedback(
        client, user["headers"], application["id"], status=status, requested_on=day(-30)
    )

    agenda = await agenda_at(app, user, NOW)

    assert of_kind(agenda, "feedback_awaiting_answer") == []


# --- calls and interviews coming up -------------------------------------------------------


async def test_a_scheduled_feedback_call_shows_from_now_to_the_end_of_the_horizon(
    app, client, user, application
):
    headers, app_id = user["headers"], application["id"]

    async def call(at: str, status: str = "scheduled") -> str:
        created = await create_feedback(
            client, headers, app_id, contact_name="Sam", status=status, scheduled_at=at
        )
        return created["id"]

    right_now = await call(moment(timedelta(0)))
    last_second = await call("2026-12-17T23:59:59Z")  # the horizon's last day (7 days on)
    await call("2026-12-18T00:00:00Z")
    await call(moment(-timedelta(seconds=1)))
    await call(moment(timedelta(hours=2)), status="completed")

    agenda = await agenda_at(app, user, NOW)

    assert ids_of(agenda, "call_upcoming") == [right_now, last_second]
    first, last = of_kind(agenda, "call_upcoming")
    assert (first.due_at, first.due_on, first.overdue) == (NOW, TODAY, False)
    assert last.due_on == date(2026, 12, 17)
    assert "Sam" in first.reason
    assert first.record.type == "feedback_conversation"


async def test_with_no_horizon_only_the_rest_of_today_is_upcoming(app, client, user, application):
    headers, app_id = user["headers"], application["id"]
    tonight = await create_interview(client, headers, app_id, scheduled_at="2026-12-10T23:59:59Z")
    await create_interview(client, headers, app_id, scheduled_at="2026-12-11T00:00:00Z")

    agenda = await agenda_at(app, user, NOW, horizon_days=0)

    assert ids_of(agenda, "interview_upcoming") == [tonight["id"]]


async def test_an_interview_coming_up_links_its_application(app, client, user, application):
    headers, app_id = user["headers"], application["id"]
    soon = await create_interview(
        client, headers, app_id, kind="final", scheduled_at=moment(timedelta(days=2))
    )
    await create_interview(client, headers, app_id, scheduled_at=moment(-timedelta(minutes=1)))
    later = await create_interview(client, headers, app_id, scheduled_at=moment(timedelta(days=9)))
    await create_interview(client, headers, app_id)  # not scheduled yet

    agenda = await agenda_at(app, user, NOW)

    [item] = of_kind(agenda, "interview_upcoming")
    assert item.record.model_dump(mode="json") == {
        "type": "interview",
        "id": soon["id"],
        "application_id": app_id,
        "next_step_index": None,
        "next_step_id": None,
    }
    assert item.reason.startswith("Final interview")
    assert item.due_at == NOW + timedelta(days=2)
    further = await agenda_at(app, user, NOW, horizon_days=9)
    assert ids_of(further, "interview_upcoming") == [soon["id"], later["id"]]


# --- stay in touch and contact follow-ups -------------------------------------------------


async def test_stay_in_touch_follow_ups_are_due_up_to_the_horizons_last_day(
    app, client, user, application
):
    headers, app_id = user["headers"], application["id"]

    async def conversation(follow_up_on: str, stay: bool = True) -> str:
        created = await create_feedback(
            client,
            headers,
            app_id,
            status="completed",
            stay_in_touch=stay,
            follow_up_on=follow_up_on,
        )
        return created["id"]

    overdue = await conversation(day(-30))
    last_day = await conversation(day(7))
    beyond = await conversation(day(8))
    await conversation(day(-1), stay=False)

    agenda = await agenda_at(app, user, NOW)

    assert ids_of(agenda, "stay_in_touch_due") == [overdue, last_day]
    first, last = of_kind(agenda, "stay_in_touch_due")
    assert (first.due_on, first.overdue) == (TODAY - timedelta(days=30), True)
    assert (last.due_on, last.overdue) == (TODAY + timedelta(days=7), False)
    further = await agenda_at(app, user, NOW, horizon_days=8)
    assert ids_of(further, "stay_in_touch_due") == [overdue, last_day, beyond]


async def test_contact_follow_ups_are_due_up_to_the_horizons_last_day(app, client, user):
    headers = user["headers"]
    overdue = await create_contact(
        client,
        headers,
        name="Lee",
        company="Globex",
        last_contacted_on=day(-40),
        next_follow_up_on=day(-1),
    )
    today = await create_contact(client, headers, name="Kim", next_follow_up_on=day(0))
    last_day = await create_contact(client, headers, name="Max", next_follow_up_on=day(7))
    await create_contact(client, headers, name="Ned", next_follow_up_on=day(8))
    await create_contact(client, headers, name="Ola")

    agenda = await agenda_at(app, user, NOW)

    items = of_kind(agenda, "contact_follow_up_due")
    assert [str(item.record.id) for item in items] == [overdue["id"], today["id"], last_day["id"]]
    assert items[0].title == "Lee — Globex"
    assert items[1].title == "Kim"
    assert day(-40) in items[0].reason
    assert [item.overdue for item in items] == [True, False, False]
    assert items[0].record.model_dump(mode="json") == {
        "type": "contact",
        "id": overdue["id"],
        "application_id": None,
        "next_step_index": None,
        "next_step_id": None,
    }


# --- next steps ---------------------------------------------------------------------------


async def test_open_next_steps_come_by_due_date_and_undated_ones_last(
    app, client, user, application
):
    reflection = await create_reflection(
        client,
        user["headers"],
        application_id=application["id"],
        next_steps=[
            {"text": "Mock interview", "due_on": day(7)},
            {"text": "Too far ahead", "due_on": day(8)},
            {"text": "Already done", "due_on": day(-3), "done": True},
            {"text": "Practise stories"},
            {"text": "List gaps", "due_on": day(-2)},
            {"text": "Done, undated", "done": True},
        ],
    )

    agenda = await agenda_at(app, user, NOW)

    due = of_kind(agenda, "next_step_due")
    assert [(item.title, item.due_on, item.overdue) for item in due] == [
        ("List gaps", TODAY - timedelta(days=2), True),
        ("Mock interview", TODAY + timedelta(days=7), False),
    ]
    assert [item.record.next_step_index for item in due] == [4, 0]
    steps = reflection["next_steps"]
    assert [str(item.record.next_step_id) for item in due] == [steps[4]["id"], steps[0]["id"]]
    [undated] = of_kind(agenda, "next_step_open")
    assert (undated.title, undated.due_on, undated.overdue) == ("Practise stories", None, False)
    assert undated.record.model_dump(mode="json") == {
        "type": "reflection",
        "id": reflection["id"],
        "application_id": application["id"],
        "next_step_index": 3,
        "next_step_id": reflection["next_steps"][3]["id"],
    }
    assert "Acme — Backend engineer" in undated.reason
    assert agenda.items[-1] == undated  # undated steps come after everything dated
    assert (agenda.counts.next_step_due, agenda.counts.next_step_open) == (2, 1)


async def test_next_steps_of_a_reflection_without_an_application_are_listed_too(app, client, user):
    await create_reflection(client, user["headers"], next_steps=[{"text": "Call a mentor"}])

    agenda = await agenda_at(app, user, NOW)

    [item] = of_kind(agenda, "next_step_open")
    assert item.record.application_id is None
    assert "one of your reflections" in item.reason


async def test_a_reflection_whose_steps_are_all_done_adds_nothing(app, client, user):
    await create_reflection(
        client,
        user["headers"],
        next_steps=[
            {"text": "Done", "done": True},
            {"text": "Also done", "due_on": day(0), "done": True},
        ],
    )

    agenda = await agenda_at(app, user, NOW)

    assert agenda.items == []


# --- possibly ghosted ---------------------------------------------------------------------


async def test_an_open_application_is_possibly_ghosted_after_the_quiet_days(app, client, user):
    quiet = await create_application(client, user["headers"], stage="screening")
    last_day = local_day(quiet["updated_at"], "UTC")

    one_day_early = at_local(last_day + timedelta(days=20), "UTC", time(23, 59, 59))
    on_the_day = at_local(last_day + timedelta(days=21), "UTC")

    assert of_kind(await agenda_at(app, user, one_day_early), "possibly_ghosted") == []
    [item] = of_kind(await agenda_at(app, user, on_the_day), "possibly_ghosted")
    assert item.record.model_dump(mode="json") == {
        "type": "application",
        "id": quiet["id"],
        "application_id": quiet["id"],
        "next_step_index": None,
        "next_step_id": None,
    }
    assert (item.due_on, item.overdue) == (last_day + timedelta(days=21), False)
    assert "21 days" in item.reason and "ghosted" in item.reason


async def test_the_quiet_days_are_a_parameter(app, client, user):
    quiet = await create_application(client, user["headers"])
    last_day = local_day(quiet["updated_at"], "UTC")
    now = at_local(last_day + timedelta(days=5), "UTC", time(9))

    assert ids_of(await agenda_at(app, user, now, quiet_days=5), "possibly_ghosted") == [
        quiet["id"]
    ]
    assert ids_of(await agenda_at(app, user, now, quiet_days=6), "possibly_ghosted") == []


@pytest.mark.parametrize(
    "stage", ["wishlist", "offer", "rejected", "withdrawn", "on_hold", "ghosted"]
)
async def test_only_applications_waiting_on_the_company_can_be_ghosted(app, client, user, stage):
    record = await create_application(client, user["headers"], stage=stage)
    later = at_local(local_day(record["updated_at"], "UTC") + timedelta(days=60), "UTC")

    agenda = await agenda_at(app, user, later)

    assert of_kind(agenda, "possibly_ghosted") == []


async def test_an_interview_date_counts_as_news(app, client, user):
    headers = user["headers"]
    record = await create_application(client, headers, stage="interviewing")
    created_on = local_day(record["updated_at"], "UTC")
    interview_at = at_local(created_on + timedelta(days=10), "UTC", time(15))
    await create_interview(
        client, headers, record["id"], scheduled_at=interview_at.isoformat().replace("+00:00", "Z")
    )

    three_weeks_after_creation = at_local(created_on + timedelta(days=21), "UTC")
    three_weeks_after_interview = at_local(created_on + timedelta(days=31), "UTC")

    assert of_kind(await agenda_at(app, user, three_weeks_after_creation), "possibly_ghosted") == []
    [item] = of_kind(await agenda_at(app, user, three_weeks_after_interview), "possibly_ghosted")
    assert item.due_on == created_on + timedelta(days=31)


async def test_a_deleted_interview_is_no_news(app, client, user):
    headers = user["headers"]
    record = await create_application(client, headers)
    created_on = local_day(record["updated_at"], "UTC")
    interview = await create_interview(
        client, headers, record["id"], scheduled_at=f"{created_on + timedelta(days=10)}T12:00:00Z"
    )
    response = await client.delete(f"/v1/interviews/{interview['id']}", headers=headers)
    assert response.status_code == 204

    agenda = await agenda_at(app, user, at_local(created_on + timedelta(days=22), "UTC"))

    assert ids_of(agenda, "possibly_ghosted") == [record["id"]]


async def test_reading_the_agenda_never_changes_a_stage(app, client, user):
    headers = user["headers"]
    record = await create_application(client, headers, stage="applied")
    later = at_local(local_day(record["updated_at"], "UTC") + timedelta(days=90), "UTC")

    assert ids_of(await agenda_at(app, user, later), "possibly_ghosted") == [record["id"]]

    after = await client.get(f"/v1/applications/{record['id']}", headers=headers)
    assert after.json() == record


# --- reflections missing ------------------------------------------------------------------


async def test_a_rejection_without_a_reflection_asks_for_one(app, client, user, application):
    headers = user["headers"]
    rejection = await create_outcome(client, headers, application["id"], received_on=day(-3))

    agenda = await agenda_at(app, user, NOW)

    [item] = of_kind(agenda, "reflection_missing")
    assert item.record.model_dump(mode="json") == {
        "type": "outcome",
        "id": rejection["id"],
        "application_id": application["id"],
        "next_step_index": None,
        "next_step_id": None,
    }
    assert (item.due_on, item.overdue) == (TODAY - timedelta(days=3), True)
    assert item.title == "Acme — Backend engineer"
    assert "rejection" in item.reason

    await create_reflection(client, headers, outcome_id=rejection["id"])

    assert of_kind(await agenda_at(app, user, NOW), "reflection_missing") == []


@pytest.mark.parametrize(
    ("kind", "listed"),
    [
        ("rejection", True),
        ("ghosted", True),
        ("withdrawn", True),
        ("on_hold", False),
        ("offer", False),
    ],
)
async def test_which_outcomes_ask_for_a_reflection(app, client, user, kind, listed):
    record = await create_application(client, user["headers"])
    outcome = await create_outcome(client, user["headers"], record["id"], kind=kind)

    agenda = await agenda_at(app, user, NOW)

    assert ids_of(agenda, "reflection_missing") == ([outcome["id"]] if listed else [])


async def test_a_reflection_on_another_outcome_does_not_count(app, client, user, application):
    headers = user["headers"]
    first = await create_outcome(client, headers, application["id"], received_on=day(-10))
    other = await create_application(client, headers)
    second = await create_outcome(client, headers, other["id"], received_on=day(-1))
    await create_reflection(client, headers, outcome_id=second["id"])

    agenda = await agenda_at(app, user, NOW)

    assert ids_of(agenda, "reflection_missing") == [first["id"]]


async def test_a_deleted_reflection_no_longer_counts(app, client, user, application):
    headers = user["headers"]
    outcome = await create_outcome(client, headers, application["id"])
    reflection = await create_reflection(client, headers, outcome_id=outcome["id"])
    response = await client.delete(f"/v1/reflections/{reflection['id']}", headers=headers)
    assert response.status_code == 204

    agenda = await agenda_at(app, user, NOW)

    assert ids_of(agenda, "reflection_missing") == [outcome["id"]]


# --- the whole agenda ---------------------------------------------------------------------


async def test_items_come_overdue_first_then_upcoming_by_date(app, client, user, application):
    headers, app_id = user["headers"], application["id"]
    await create_contact(client, headers, name="Late", next_follow_up_on=day(-5))
    await create_interview(client, headers, app_id, scheduled_at=moment(timedelta(days=1)))
    await create_feedback(client, headers, app_id, status="requested", requested_on=day(-8))
    await create_contact(client, headers, name="Today", next_follow_up_on=day(0))
    await create_reflection(
        client, headers, next_steps=[{"text": "Undated"}, {"text": "Soon", "due_on": day(3)}]
    )

    agenda = await agenda_at(app, user, NOW)

    assert [(item.kind, item.due_on) for item in agenda.items] == [
        ("contact_follow_up_due", TODAY - timedelta(days=5)),
        ("feedback_awaiting_answer", TODAY - timedelta(days=1)),
        ("contact_follow_up_due", TODAY),
        ("interview_upcoming", TODAY + timedelta(days=1)),
        ("next_step_due", TODAY + timedelta(days=3)),
        ("next_step_open", None),
    ]
    assert [item.overdue for item in agenda.items] == [True, True, False, False, False, False]
    assert agenda.counts.model_dump() == {
        "feedback_awaiting_answer": 1,
        "call_upcoming": 0,
        "interview_upcoming": 1,
        "stay_in_touch_due": 0,
        "contact_follow_up_due": 2,
        "next_step_due": 1,
        "next_step_open": 1,
        "possibly_ghosted": 0,
        "reflection_missing": 0,
        "total": 6,
    }
    assert (agenda.today, agenda.timezone) == (TODAY, "UTC")


async def test_the_limit_caps_each_kind_but_counts_stay_complete(app, client, user):
    headers = user["headers"]
    for offset in (-3, -1, -2, 0):
        await create_contact(client, headers, next_follow_up_on=day(offset))

    agenda = await agenda_at(app, user, NOW, limit=2)

    assert [item.due_on for item in agenda.items] == [
        TODAY - timedelta(days=3),
        TODAY - timedelta(days=2),
    ]
    assert (agenda.counts.contact_follow_up_due, agenda.counts.total) == (4, 4)


async def test_a_moment_given_in_another_zone_is_the_same_moment(app, client, user):
    await create_contact(client, user["headers"], next_follow_up_on=day(-1))
    elsewhere = NOW.astimezone(ZoneInfo("Asia/Tokyo"))

    assert (await agenda_at(app, user, elsewhere)) == (await agenda_at(app, user, NOW))
