"""The user's own "today": where the local date differs from the UTC date, the rules follow the
local date (Pacific/Auckland runs ahead of UTC, America/Los_Angeles behind it)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.agenda.support import agenda_at, at_local, create_contact, ids_of, local_day, of_kind
from tests.helpers import register
from tests.resources.factories import (
    create_application,
    create_feedback,
    create_interview,
    create_reflection,
)

# 12:00 UTC on 30 November is 01:00 on 1 December in Auckland (NZDT, UTC+13).
AUCKLAND_MORNING = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# 05:00 UTC on 1 December is 21:00 on 30 November in Los Angeles (PST, UTC-8).
LOS_ANGELES_EVENING = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


@pytest.fixture
async def auckland(client):
    return await register(client, timezone="Pacific/Auckland")


@pytest.fixture
async def los_angeles(client):
    return await register(client, timezone="America/Los_Angeles")


@pytest.fixture
async def utc(client):
    return await register(client)


async def test_today_is_the_date_where_the_user_lives(app, auckland, los_angeles, utc):
    assert (await agenda_at(app, auckland, AUCKLAND_MORNING)).today == date(2026, 12, 1)
    assert (await agenda_at(app, utc, AUCKLAND_MORNING)).today == date(2026, 11, 30)
    assert (await agenda_at(app, los_angeles, LOS_ANGELES_EVENING)).today == date(2026, 11, 30)
    assert (await agenda_at(app, utc, LOS_ANGELES_EVENING)).today == date(2026, 12, 1)
    assert (await agenda_at(app, auckland, AUCKLAND_MORNING)).timezone == "Pacific/Auckland"


async def test_in_auckland_tomorrows_utc_date_is_already_due(app, client, auckland, utc):
    for user in (auckland, utc):
        await create_contact(client, user["headers"], next_follow_up_on="2026-12-01")
        await create_reflection(
            client, user["headers"], next_steps=[{"text": "Apply", "due_on": "2026-12-01"}]
        )

    here = await agenda_at(app, auckland, AUCKLAND_MORNING, horizon_days=0)
    there = await agenda_at(app, utc, AUCKLAND_MORNING, horizon_days=0)

    assert [(item.kind, item.overdue) for item in here.items] == [
        ("contact_follow_up_due", False),
        ("next_step_due", False),
    ]
    assert there.items == []


async def test_in_auckland_a_feedback_request_turns_seven_days_old_a_day_early(
    app, client, auckland, utc
):
    for user in (auckland, utc):
        application = await create_application(client, user["headers"])
        await create_feedback(
            client,
            user["headers"],
            application["id"],
            status="requested",
            requested_on="2026-11-24",
        )

    here = await agenda_at(app, auckland, AUCKLAND_MORNING)
    there = await agenda_at(app, utc, AUCKLAND_MORNING)

    [item] = of_kind(here, "feedback_awaiting_answer")
    assert "7 days" in item.reason
    assert of_kind(there, "feedback_awaiting_answer") == []


async def test_in_los_angeles_the_utc_date_has_not_arrived_yet(app, client, los_angeles, utc):
    for user in (los_angeles, utc):
        await create_contact(
            client, user["headers"], name="Tomorrow", next_follow_up_on="2026-12-01"
        )
        await create_contact(client, user["headers"], name="Today", next_follow_up_on="2026-11-30")

    here = await agenda_at(app, los_angeles, LOS_ANGELES_EVENING, horizon_days=0)
    there = await agenda_at(app, utc, LOS_ANGELES_EVENING, horizon_days=0)

    assert [(item.title, item.overdue) for item in here.items] == [("Today", False)]
    assert [(item.title, item.overdue) for item in there.items] == [
        ("Today", True),
        ("Tomorrow", False),
    ]


async def test_upcoming_calls_end_at_local_midnight(app, client, los_angeles, utc):
    ids = {}
    for name, user in (("la", los_angeles), ("utc", utc)):
        application = await create_application(client, user["headers"])
        for label, at in (("late", "2026-12-01T07:30:00Z"), ("after", "2026-12-01T08:30:00Z")):
            created = await create_feedback(
                client, user["headers"], application["id"], status="scheduled", scheduled_at=at
            )
            ids[name, label] = created["id"]

    here = await agenda_at(app, los_angeles, LOS_ANGELES_EVENING, horizon_days=0)
    there = await agenda_at(app, utc, LOS_ANGELES_EVENING, horizon_days=0)
    tomorrow = await agenda_at(app, los_angeles, LOS_ANGELES_EVENING, horizon_days=1)

    # 23:30 on 30 November in Los Angeles; 00:30 on 1 December is tomorrow there.
    assert ids_of(here, "call_upcoming") == [ids["la", "late"]]
    assert of_kind(here, "call_upcoming")[0].due_on == date(2026, 11, 30)
    assert ids_of(tomorrow, "call_upcoming") == [ids["la", "late"], ids["la", "after"]]
    assert of_kind(tomorrow, "call_upcoming")[1].due_on == date(2026, 12, 1)
    assert ids_of(there, "call_upcoming") == [ids["utc", "late"], ids["utc", "after"]]
    assert {item.due_on for item in of_kind(there, "call_upcoming")} == {date(2026, 12, 1)}


async def test_the_horizon_follows_local_days_across_a_daylight_saving_change(
    app, client, los_angeles
):
    # Clocks go back in Los Angeles on 1 November 2026: that day ends at 08:00 UTC, not 07:00.
    now = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    application = await create_application(client, los_angeles["headers"])
    inside = await create_interview(
        client, los_angeles["headers"], application["id"], scheduled_at="2026-11-02T07:30:00Z"
    )
    await create_interview(
        client, los_angeles["headers"], application["id"], scheduled_at="2026-11-02T08:00:00Z"
    )

    agenda = await agenda_at(app, los_angeles, now, horizon_days=1)

    assert ids_of(agenda, "interview_upcoming") == [inside["id"]]
    assert of_kind(agenda, "interview_upcoming")[0].due_on == date(2026, 11, 1)


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles"])
async def test_quiet_days_are_counted_in_local_days(app, client, zone):
    user = await register(client, timezone=zone)
    application = await create_application(client, user["headers"])
    last_day = local_day(application["updated_at"], zone)

    late_on_day_20 = at_local(last_day + timedelta(days=20), zone, time(23, 59, 59))
    start_of_day_21 = at_local(last_day + timedelta(days=21), zone)

    assert of_kind(await agenda_at(app, user, late_on_day_20), "possibly_ghosted") == []
    [item] = of_kind(await agenda_at(app, user, start_of_day_21), "possibly_ghosted")
    assert item.due_on == last_day + timedelta(days=21)
