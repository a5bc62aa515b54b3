"""Stages follow what was recorded: an interview moves an application forward to
`interviewing`, an outcome to its own stage; neither ever moves one back on its own, and the
user may set any stage at any time. Each move is a change of the application (new version,
ETag and change number) with a line on its timeline."""

from typing import Any

import httpx
import pytest

from tests.helpers import register
from tests.resources.factories import create_application, create_interview, create_outcome
from tests.resources.factories_sync import sync_token_of

Headers = dict[str, str]
EARLIER = ("wishlist", "applied", "screening")
LATER = ("interviewing", "offer", "rejected", "withdrawn", "on_hold", "ghosted")


async def read(client: httpx.AsyncClient, h: Headers, application_id: str) -> httpx.Response:
    response = await client.get(f"/v1/applications/{application_id}", headers=h)
    assert response.status_code == 200, response.text
    return response


async def moves(
    client: httpx.AsyncClient, h: Headers, application_id: str
) -> list[tuple[str | None, str, str]]:
    response = await client.get(f"/v1/applications/{application_id}/timeline", headers=h)
    assert response.status_code == 200, response.text
    return [(e["from_stage"], e["to_stage"], e["cause"]) for e in response.json()["items"]]


async def set_stage(client: httpx.AsyncClient, h: Headers, application_id: str, stage: str) -> None:
    response = await client.patch(
        f"/v1/applications/{application_id}", json={"stage": stage}, headers=h
    )
    assert response.status_code == 200, response.text


async def delete(client: httpx.AsyncClient, h: Headers, path: str) -> None:
    response = await client.delete(path, headers=h)
    assert response.status_code == 204, response.text


async def changed_applications(client: httpx.AsyncClient, h: Headers, token: str) -> list[Any]:
    response = await client.get("/v1/applications", params={"updated_since": token}, headers=h)
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.parametrize("stage", EARLIER)
async def test_recording_an_interview_moves_an_earlier_stage_to_interviewing(client, stage):
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage=stage)
    before = await read(client, h, application["id"])
    token = await sync_token_of(client, h, "applications")

    await create_interview(client, h, application["id"])

    after = await read(client, h, application["id"])
    assert after.json()["stage"] == "interviewing"
    assert after.json()["version"] == before.json()["version"] + 1
    assert after.headers["etag"] != before.headers["etag"]
    assert await moves(client, h, application["id"]) == [
        (None, stage, "user"),
        (stage, "interviewing", "interview"),
    ]
    # A syncing client sees the application change, as it does for an outcome's move.
    assert [item["id"] for item in await changed_applications(client, h, token)] == [
        application["id"]
    ]


@pytest.mark.parametrize("stage", LATER)
async def test_an_interview_never_moves_a_later_stage(client, stage):
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage=stage)
    token = await sync_token_of(client, h, "applications")

    await create_interview(client, h, application["id"])

    after = (await read(client, h, application["id"])).json()
    assert (after["stage"], after["version"]) == (stage, 1)
    assert await moves(client, h, application["id"]) == [(None, stage, "user")]
    assert await changed_applications(client, h, token) == []


async def test_the_issues_story_an_interview_then_a_rejection(client):
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage="applied")

    await create_interview(client, h, application["id"], kind="phone_screen")
    await create_interview(client, h, application["id"], kind="final")  # already there
    rejection = await create_outcome(client, h, application["id"], kind="rejection")

    assert (await read(client, h, application["id"])).json()["stage"] == "rejected"
    assert await moves(client, h, application["id"]) == [
        (None, "applied", "user"),
        ("applied", "interviewing", "interview"),
        ("interviewing", "rejected", "outcome"),
    ]
    # A rejection recorded by mistake goes back to where the interview had put it.
    await delete(client, h, f"/v1/outcomes/{rejection['id']}")
    assert (await read(client, h, application["id"])).json()["stage"] == "interviewing"


async def test_the_user_may_set_any_stage_and_only_a_new_record_moves_it_again(client):
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage="applied")
    interview = await create_interview(client, h, application["id"])

    await set_stage(client, h, application["id"], "applied")  # backwards, by hand
    edited = await client.patch(
        f"/v1/interviews/{interview['id']}", json={"notes": "Went well."}, headers=h
    )
    assert edited.status_code == 200, edited.text
    assert (await read(client, h, application["id"])).json()["stage"] == "applied"

    await create_interview(client, h, application["id"])
    assert (await read(client, h, application["id"])).json()["stage"] == "interviewing"


async def test_resending_the_same_interview_moves_nothing_twice(client):
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage="applied")
    body = {"id": "0d6f2d8e-4c4b-4f0e-9d59-3d3c1a6b7e21", "kind": "technical"}
    await create_interview(client, h, application["id"], **body)
    version = (await read(client, h, application["id"])).json()["version"]

    again = await client.post(
        "/v1/interviews", json={"application_id": application["id"], **body}, headers=h
    )

    assert again.status_code == 200, again.text
    assert (await read(client, h, application["id"])).json()["version"] == version
    assert len(await moves(client, h, application["id"])) == 2


async def test_deleting_the_only_interview_moves_the_application_back(client):
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage="screening")
    interview = await create_interview(client, h, application["id"])
    token = await sync_token_of(client, h, "applications")

    await delete(client, h, f"/v1/interviews/{interview['id']}")

    assert (await read(client, h, application["id"])).json()["stage"] == "screening"
    assert (await moves(client, h, application["id"]))[-1] == (
        "interviewing",
        "screening",
        "interview",
    )
    assert [item["id"] for item in await changed_applications(client, h, token)] == [
        application["id"]
    ]


async def test_deleting_one_of_two_interviews_keeps_interviewing(client):
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage="applied")
    first = await create_interview(client, h, application["id"])
    await create_interview(client, h, application["id"])

    await delete(client, h, f"/v1/interviews/{first['id']}")

    assert (await read(client, h, application["id"])).json()["stage"] == "interviewing"
    assert len(await moves(client, h, application["id"])) == 2


@pytest.mark.parametrize("moved_by", ["user", "outcome"])
async def test_deleting_the_interview_keeps_a_stage_set_since(client, moved_by):
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage="applied")
    interview = await create_interview(client, h, application["id"])
    if moved_by == "user":
        await set_stage(client, h, application["id"], "on_hold")
    else:
        await create_outcome(client, h, application["id"], kind="on_hold")

    await delete(client, h, f"/v1/interviews/{interview['id']}")

    assert (await read(client, h, application["id"])).json()["stage"] == "on_hold"
    assert len(await moves(client, h, application["id"])) == 3


async def test_deleting_an_interview_that_moved_nothing_moves_nothing(client):
    h = (await register(client))["headers"]
    application = await create_application(client, h, stage="interviewing")
    interview = await create_interview(client, h, application["id"])

    await delete(client, h, f"/v1/interviews/{interview['id']}")

    after = (await read(client, h, application["id"])).json()
    assert (after["stage"], after["version"]) == ("interviewing", 1)
    assert await moves(client, h, application["id"]) == [(None, "interviewing", "user")]


async def test_another_users_interview_moves_nothing_of_mine(client):
    alice = (await register(client))["headers"]
    bob = (await register(client))["headers"]
    application = await create_application(client, alice, stage="applied")

    response = await client.post(
        "/v1/interviews",
        json={"application_id": application["id"], "kind": "technical"},
        headers=bob,
    )

    assert response.status_code in (404, 422), response.text
    after = (await read(client, alice, application["id"])).json()
    assert (after["stage"], after["version"]) == ("applied", 1)
