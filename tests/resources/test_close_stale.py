"""Closing the silent ones: POST /v1/applications/close-stale records ghosted outcomes for the
applications the agenda calls possibly ghosted, only when asked, and says which. The clock
cannot move over HTTP: the tests move the one the route reads."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories import create_application, create_interview, create_outcome


@pytest.fixture
def later(monkeypatch):
    """Move the route's clock `days` ahead of now."""

    def move(days: int) -> datetime:
        moment = datetime.now(UTC) + timedelta(days=days)
        monkeypatch.setattr("app.outcomes.stale.utcnow", lambda: moment)
        return moment

    return move


async def close(client, headers, **body):
    response = await client.post("/v1/applications/close-stale", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_dry_run_names_the_quiet_ones_and_records_nothing(client, later):
    user = await register(client)
    headers = user["headers"]
    quiet = await create_application(client, headers, company="Quiet", stage="applied")
    await create_application(client, headers, company="Wishlist", stage="wishlist")
    rejected = await create_application(client, headers, company="Done")
    await create_outcome(client, headers, rejected["id"])
    later(30)

    answer = await close(client, headers, quiet_days=30, dry_run=True)

    assert answer["dry_run"] is True
    assert [c["application_id"] for c in answer["closed"]] == [quiet["id"]]
    assert answer["closed"][0]["outcome_id"] is None
    assert answer["closed"][0]["stage_before"] == "applied"
    assert answer["remaining"] == 0
    got = await client.get(f"/v1/applications/{quiet['id']}", headers=headers)
    assert got.json()["stage"] == "applied"
    outcomes = await client.get(
        "/v1/outcomes", params={"application_id": quiet["id"]}, headers=headers
    )
    assert outcomes.json()["items"] == []


async def test_closing_records_ghosted_outcomes_that_move_the_stage(client, later):
    user = await register(client)
    headers = user["headers"]
    quiet = await create_application(client, headers, company="Quiet", stage="screening")
    busy = await create_application(client, headers, company="Busy", stage="interviewing")
    moment = later(20)
    # News of the busy one: an interview scheduled recently keeps it open.
    await create_interview(
        client,
        headers,
        busy["id"],
        scheduled_at=(moment - timedelta(days=2)).isoformat().replace("+00:00", "Z"),
    )

    answer = await close(client, headers, quiet_days=14)

    assert answer["dry_run"] is False
    [closed] = answer["closed"]
    assert closed["application_id"] == quiet["id"]
    outcome = await client.get(f"/v1/outcomes/{closed['outcome_id']}", headers=headers)
    assert outcome.status_code == 200
    assert outcome.json()["kind"] == "ghosted"
    assert outcome.json()["received_on"] == answer["received_on"] == moment.date().isoformat()
    got = await client.get(f"/v1/applications/{quiet['id']}", headers=headers)
    assert got.json()["stage"] == "ghosted"
    insights = (await client.get("/v1/insights", headers=headers)).json()
    assert insights["applications"]["by_stage"]["ghosted"] == 1

    # Asked again: nothing is quiet any more, nothing is recorded twice.
    again = await close(client, headers, quiet_days=14)
    assert again["closed"] == []


async def test_not_yet_quiet_enough_is_left_open(client, later):
    user = await register(client)
    await create_application(client, user["headers"])
    later(13)
    assert (await close(client, user["headers"], quiet_days=14))["closed"] == []


async def test_quiet_days_below_fourteen_are_refused_and_change_nothing(client, later):
    user = await register(client)
    await create_application(client, user["headers"])
    later(60)
    for body in ({"quiet_days": 13}, {}, {"quiet_days": 366}, {"quiet_days": 30, "x": 1}):
        response = await client.post(
            "/v1/applications/close-stale", json=body, headers=user["headers"]
        )
        assert_problem(response, 422)
    assert bad_fields(
        await client.post(
            "/v1/applications/close-stale", json={"quiet_days": 7}, headers=user["headers"]
        )
    ) == {"body.quiet_days"}
    outcomes = await client.get("/v1/outcomes", headers=user["headers"])
    assert outcomes.json()["items"] == []


async def test_only_the_callers_applications_are_closed(client, later):
    owner = await register(client)
    mine = await create_application(client, owner["headers"])
    other = await register(client)
    later(30)
    assert (await close(client, other["headers"], quiet_days=14))["closed"] == []
    got = await client.get(f"/v1/applications/{mine['id']}", headers=owner["headers"])
    assert got.json()["stage"] == "applied"
    assert_problem(await client.post("/v1/applications/close-stale", json={"quiet_days": 14}), 401)
