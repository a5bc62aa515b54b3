"""An import restores stages as they were: the interviews and outcomes it brings do not move
their applications (the document already holds the stages and timelines they led to)."""

from typing import Any

import httpx

from tests.helpers import register
from tests.resources.factories import create_application, create_interview, create_outcome

Headers = dict[str, str]


async def export(client: httpx.AsyncClient, h: Headers) -> dict[str, Any]:
    response = await client.get("/v1/me/export", headers=h)
    assert response.status_code == 200, response.text
    return response.json()


async def import_(client: httpx.AsyncClient, h: Headers, document: dict[str, Any]) -> None:
    response = await client.post("/v1/me/import", json=document, headers=h)
    assert response.status_code == 200, response.text


async def stage_and_moves(
    client: httpx.AsyncClient, h: Headers, application_id: str
) -> tuple[str, list[tuple[str | None, str, str]]]:
    application = await client.get(f"/v1/applications/{application_id}", headers=h)
    timeline = await client.get(f"/v1/applications/{application_id}/timeline", headers=h)
    assert timeline.status_code == 200, timeline.text
    entries = timeline.json()["items"]
    return application.json()["stage"], [
        (e["from_stage"], e["to_stage"], e["cause"]) for e in entries
    ]


async def test_an_imported_interview_leaves_an_applied_application_applied(client):
    source = (await register(client))["headers"]
    application = await create_application(client, source, stage="applied")
    await create_interview(client, source, application["id"])
    document = await export(client, source)
    # A document from before interviews moved stages: applied, with an interview.
    [exported] = document["applications"]
    exported["stage"] = "applied"
    document["timeline"] = [e for e in document["timeline"] if e["cause"] != "interview"]
    target = (await register(client))["headers"]

    await import_(client, target, document)

    assert await stage_and_moves(client, target, application["id"]) == (
        "applied",
        [(None, "applied", "user")],
    )


async def test_an_export_with_stage_moves_imports_as_it_was(client):
    source = (await register(client))["headers"]
    application = await create_application(client, source, stage="screening")
    await create_interview(client, source, application["id"])
    await create_outcome(client, source, application["id"], kind="rejection")
    told = await stage_and_moves(client, source, application["id"])
    target = (await register(client))["headers"]

    await import_(client, target, await export(client, source))

    assert await stage_and_moves(client, target, application["id"]) == told
    assert told == (
        "rejected",
        [
            (None, "screening", "user"),
            ("screening", "interviewing", "interview"),
            ("interviewing", "rejected", "outcome"),
        ],
    )
