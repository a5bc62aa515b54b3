"""An application's stage timeline: written at creation, by user edits and by outcomes."""

import uuid
from typing import Any

import pytest

from tests.helpers import assert_problem, register
from tests.resources.factories import create_application, create_outcome


async def timeline(client, headers, application_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/applications/{application_id}/timeline", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def moves(entries: list[dict[str, Any]]) -> list[tuple[str | None, str, str]]:
    return [(entry["from_stage"], entry["to_stage"], entry["cause"]) for entry in entries]


async def stage_of(client, headers, application_id: str) -> str:
    response = await client.get(f"/v1/applications/{application_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["stage"]


async def test_creation_writes_the_first_entry(client):
    user = await register(client)
    application = await create_application(client, user["headers"], stage="wishlist")

    entries = await timeline(client, user["headers"], application["id"])

    assert len(entries) == 1
    entry = entries[0]
    assert entry["application_id"] == application["id"]
    assert entry["from_stage"] is None
    assert entry["to_stage"] == "wishlist"
    assert entry["cause"] == "user"
    assert entry["outcome_id"] is None
    assert entry["changed_at"].endswith("Z")
    uuid.UUID(entry["id"])


async def test_a_user_stage_change_adds_an_entry(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h)

    await client.patch(
        f"/v1/applications/{application['id']}", json={"stage": "screening"}, headers=h
    )
    await client.patch(
        f"/v1/applications/{application['id']}", json={"stage": "interviewing"}, headers=h
    )

    entries = await timeline(client, h, application["id"])
    assert moves(entries) == [
        (None, "applied", "user"),
        ("applied", "screening", "user"),
        ("screening", "interviewing", "user"),
    ]
    assert [entry["outcome_id"] for entry in entries] == [None, None, None]
    assert entries[0]["changed_at"] <= entries[1]["changed_at"] <= entries[2]["changed_at"]


async def test_no_entry_when_the_stage_does_not_change(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, stage="screening")
    path = f"/v1/applications/{application['id']}"

    same = await client.patch(path, json={"stage": "screening"}, headers=h)
    other_field = await client.patch(path, json={"notes": "Recruiter called"}, headers=h)

    assert same.status_code == 200 and other_field.status_code == 200
    assert moves(await timeline(client, h, application["id"])) == [(None, "screening", "user")]


@pytest.mark.parametrize(
    ("kind", "stage"),
    [
        ("offer", "offer"),
        ("rejection", "rejected"),
        ("on_hold", "on_hold"),
        ("withdrawn", "withdrawn"),
        ("ghosted", "ghosted"),
    ],
)
async def test_an_outcome_moves_the_stage_and_adds_an_entry(client, kind, stage):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, stage="interviewing")

    outcome = await create_outcome(client, h, application["id"], kind=kind)

    entries = await timeline(client, h, application["id"])
    assert moves(entries) == [(None, "interviewing", "user"), ("interviewing", stage, "outcome")]
    assert entries[-1]["outcome_id"] == outcome["id"]
    moved = await client.get(f"/v1/applications/{application['id']}", headers=h)
    assert moved.json()["stage"] == stage
    assert moved.json()["version"] == application["version"] + 1


async def test_an_outcome_that_matches_the_stage_adds_no_entry(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, stage="rejected")

    await create_outcome(client, h, application["id"], kind="rejection")

    assert moves(await timeline(client, h, application["id"])) == [(None, "rejected", "user")]
    after = await client.get(f"/v1/applications/{application['id']}", headers=h)
    assert after.json()["version"] == application["version"]


async def test_changing_the_outcome_kind_moves_the_stage_again(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, stage="interviewing")
    outcome = await create_outcome(client, h, application["id"], kind="rejection")

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}", json={"kind": "on_hold"}, headers=h
    )

    assert response.status_code == 200, response.text
    assert await stage_of(client, h, application["id"]) == "on_hold"
    entries = await timeline(client, h, application["id"])
    assert moves(entries) == [
        (None, "interviewing", "user"),
        ("interviewing", "rejected", "outcome"),
        ("rejected", "on_hold", "outcome"),
    ]
    assert entries[-1]["outcome_id"] == outcome["id"]


async def test_editing_an_outcome_without_changing_its_kind_adds_no_entry(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, stage="interviewing")
    outcome = await create_outcome(client, h, application["id"])

    await client.patch(f"/v1/outcomes/{outcome['id']}", json={"disappointment": 7}, headers=h)

    assert len(await timeline(client, h, application["id"])) == 2


async def test_deleting_the_latest_outcome_reverts_the_stage(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, stage="interviewing")
    outcome = await create_outcome(client, h, application["id"], kind="rejection")

    response = await client.delete(f"/v1/outcomes/{outcome['id']}", headers=h)

    assert response.status_code == 204
    assert await stage_of(client, h, application["id"]) == "interviewing"
    entries = await timeline(client, h, application["id"])
    assert moves(entries) == [
        (None, "interviewing", "user"),
        ("interviewing", "rejected", "outcome"),
        ("rejected", "interviewing", "outcome"),
    ]
    assert entries[-1]["outcome_id"] == outcome["id"]


async def test_deleting_an_outcome_after_the_user_moved_on_keeps_the_users_stage(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, stage="interviewing")
    outcome = await create_outcome(client, h, application["id"], kind="on_hold")
    await client.patch(f"/v1/applications/{application['id']}", json={"stage": "offer"}, headers=h)

    await client.delete(f"/v1/outcomes/{outcome['id']}", headers=h)

    assert await stage_of(client, h, application["id"]) == "offer"
    assert len(await timeline(client, h, application["id"])) == 3


async def test_deleting_an_older_outcome_keeps_the_newer_outcomes_stage(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, stage="interviewing")
    older = await create_outcome(client, h, application["id"], kind="on_hold")
    newer = await create_outcome(client, h, application["id"], kind="offer")

    await client.delete(f"/v1/outcomes/{older['id']}", headers=h)

    assert await stage_of(client, h, application["id"]) == "offer"
    entries = await timeline(client, h, application["id"])
    assert entries[-1]["outcome_id"] == newer["id"]


async def test_deleting_an_outcome_whose_kind_changed_reverts_to_the_stage_before_it(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, stage="interviewing")
    outcome = await create_outcome(client, h, application["id"], kind="rejection")
    await client.patch(f"/v1/outcomes/{outcome['id']}", json={"kind": "on_hold"}, headers=h)

    await client.delete(f"/v1/outcomes/{outcome['id']}", headers=h)

    assert await stage_of(client, h, application["id"]) == "interviewing"


async def test_the_timeline_of_another_users_application_is_404(client):
    owner = await register(client)
    other = await register(client)
    application = await create_application(client, owner["headers"], company="Secret Co")

    response = await client.get(
        f"/v1/applications/{application['id']}/timeline", headers=other["headers"]
    )

    assert_problem(response, 404)
    assert "Secret Co" not in response.text


async def test_the_timeline_of_a_deleted_or_unknown_application_is_404(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    await client.delete(f"/v1/applications/{application['id']}", headers=user["headers"])

    deleted = await client.get(
        f"/v1/applications/{application['id']}/timeline", headers=user["headers"]
    )
    unknown = await client.get(f"/v1/applications/{uuid.uuid4()}/timeline", headers=user["headers"])

    assert_problem(deleted, 404)
    assert_problem(unknown, 404)
