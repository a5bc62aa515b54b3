"""Ownership: another user's records are invisible (404 like an unknown id) in every
collection, in lists, in delta sync, and as references in a request body."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.helpers import assert_problem, register
from tests.resources.factories import (
    create_application,
    create_feedback,
    create_interview,
    create_outcome,
    create_reflection,
)

SECRET = "Secret Corp"

Record = dict[str, Any]
Arrange = Callable[[Any, dict[str, str]], Awaitable[Record]]


async def an_application(client, headers) -> Record:
    return await create_application(client, headers, company=SECRET, notes="private")


async def an_interview(client, headers) -> Record:
    application = await an_application(client, headers)
    return await create_interview(client, headers, application["id"], notes="private")


async def an_outcome(client, headers) -> Record:
    application = await an_application(client, headers)
    return await create_outcome(client, headers, application["id"], stated_reason="private")


async def a_feedback_conversation(client, headers) -> Record:
    application = await an_application(client, headers)
    return await create_feedback(client, headers, application["id"], takeaways="private")


async def a_reflection(client, headers) -> Record:
    application = await an_application(client, headers)
    outcome = await create_outcome(client, headers, application["id"])
    return await create_reflection(client, headers, outcome_id=outcome["id"], went_well=["x"])


# (collection path, how to create one record with its parents, a valid PATCH body)
COLLECTIONS = [
    pytest.param("applications", an_application, {"notes": "changed"}, id="applications"),
    pytest.param("interviews", an_interview, {"notes": "changed"}, id="interviews"),
    pytest.param("outcomes", an_outcome, {"stated_reason": "changed"}, id="outcomes"),
    pytest.param(
        "feedback-conversations",
        a_feedback_conversation,
        {"takeaways": "changed"},
        id="feedback-conversations",
    ),
    pytest.param("reflections", a_reflection, {"mood": 9}, id="reflections"),
]


def not_found_like_an_unknown_id(response, unknown) -> None:
    """The same problem document as for an id that never existed, with nothing leaked."""
    mine = assert_problem(response, 404)
    theirs = assert_problem(unknown, 404)
    assert {k: v for k, v in mine.items() if k != "instance"} == {
        k: v for k, v in theirs.items() if k != "instance"
    }
    assert SECRET not in response.text and "private" not in response.text
    assert "etag" not in response.headers


@pytest.mark.parametrize(("collection", "arrange", "patch"), COLLECTIONS)
async def test_another_users_record_is_404_for_every_operation(client, collection, arrange, patch):
    owner = await register(client)
    intruder = await register(client)
    record = await arrange(client, owner["headers"])
    path = f"/v1/{collection}/{record['id']}"
    unknown_path = f"/v1/{collection}/{uuid.uuid4()}"
    before = await client.get(path, headers=owner["headers"])
    etag = before.headers["etag"]
    h = intruder["headers"]

    attempts = [
        ("GET", {}, None),
        ("GET", {"If-None-Match": etag}, None),
        ("PATCH", {}, patch),
        ("PATCH", {"If-Match": etag}, patch),
        ("PATCH", {"If-Match": '"stale-1"'}, patch),
        ("PATCH", {"If-Match": "*"}, patch),
        ("DELETE", {}, None),
        ("DELETE", {"If-Match": etag}, None),
        ("DELETE", {"If-Match": '"stale-1"'}, None),
    ]
    for method, extra, body in attempts:
        response = await client.request(method, path, headers={**h, **extra}, json=body)
        unknown = await client.request(method, unknown_path, headers={**h, **extra}, json=body)
        not_found_like_an_unknown_id(response, unknown)

    after = await client.get(path, headers=owner["headers"])
    assert after.status_code == 200
    assert after.json() == before.json()
    assert after.headers["etag"] == etag


@pytest.mark.parametrize(("collection", "arrange", "patch"), COLLECTIONS)
async def test_lists_and_delta_sync_never_show_another_users_records(
    client, collection, arrange, patch
):
    owner = await register(client)
    other = await register(client)
    theirs = await arrange(client, owner["headers"])
    mine = await arrange(client, other["headers"])
    start = await client.get(f"/v1/{collection}", headers=other["headers"])
    token = start.json()["sync_token"]
    await client.patch(f"/v1/{collection}/{theirs['id']}", json=patch, headers=owner["headers"])
    await client.delete(f"/v1/{collection}/{theirs['id']}", headers=owner["headers"])

    listed = await client.get(f"/v1/{collection}", headers=other["headers"])
    since_token = await client.get(
        f"/v1/{collection}", params={"updated_since": token}, headers=other["headers"]
    )
    since_epoch = await client.get(
        f"/v1/{collection}",
        params={"updated_since": "1970-01-01T00:00:00Z"},
        headers=other["headers"],
    )

    assert [item["id"] for item in start.json()["items"]] == [mine["id"]]
    assert [item["id"] for item in listed.json()["items"]] == [mine["id"]]
    assert since_token.status_code == 200, since_token.text
    assert since_token.json()["items"] == []
    assert [item["id"] for item in since_epoch.json()["items"]] == [mine["id"]]
    assert theirs["id"] not in listed.text + since_token.text + since_epoch.text


@pytest.mark.parametrize(
    "collection", ["interviews", "outcomes", "feedback-conversations", "reflections"]
)
async def test_filtering_by_another_users_application_finds_nothing(client, collection):
    owner = await register(client)
    other = await register(client)
    application = await create_application(client, owner["headers"])
    outcome = await create_outcome(client, owner["headers"], application["id"])
    await create_interview(client, owner["headers"], application["id"])
    await create_feedback(client, owner["headers"], application["id"], outcome_id=outcome["id"])
    await create_reflection(client, owner["headers"], outcome_id=outcome["id"])

    response = await client.get(
        f"/v1/{collection}",
        params={"application_id": application["id"]},
        headers=other["headers"],
    )

    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


@pytest.mark.parametrize(("collection", "arrange", "patch"), COLLECTIONS)
async def test_the_id_of_another_users_record_is_a_fresh_id_here(
    client, collection, arrange, patch
):
    """Ids are per account (issue 17 #4): a 409 told the caller the id existed elsewhere."""
    owner = await register(client)
    other = await register(client)
    theirs = await arrange(client, owner["headers"])
    mine = await arrange(client, other["headers"])
    body = {
        k: v
        for k, v in mine.items()
        if k not in {"id", "created_at", "updated_at", "version", "deleted_at"}
    }

    response = await client.post(
        f"/v1/{collection}", json={**body, "id": theirs["id"]}, headers=other["headers"]
    )

    assert response.status_code == 201, response.text
    assert response.json()["id"] == theirs["id"]
    unchanged = await client.get(f"/v1/{collection}/{theirs['id']}", headers=owner["headers"])
    assert unchanged.json() == theirs
    mine_now = await client.get(f"/v1/{collection}/{theirs['id']}", headers=other["headers"])
    assert mine_now.json() == response.json()


# --- references in a request body ----------------------------------------------------------


async def everything_listed(client, headers) -> dict[str, list[str]]:
    lists = {}
    for collection in ("interviews", "outcomes", "feedback-conversations", "reflections"):
        response = await client.get(f"/v1/{collection}", headers=headers)
        lists[collection] = [item["id"] for item in response.json()["items"]]
    return lists


@pytest.fixture
async def two_users(client) -> dict[str, Any]:
    """A owns an application with an outcome; B owns an application of their own."""
    a = await register(client)
    b = await register(client)
    a_application = await create_application(client, a["headers"], company=SECRET)
    a_outcome = await create_outcome(client, a["headers"], a_application["id"])
    b_application = await create_application(client, b["headers"])
    return {
        "a": a,
        "b": b,
        "a_application": a_application["id"],
        "a_outcome": a_outcome["id"],
        "b_application": b_application["id"],
    }


def reference_cases() -> list[Any]:
    """(collection, body built from the two users' ids) for B pointing at A's records."""
    return [
        pytest.param(
            "interviews",
            lambda ids: {"application_id": ids["a_application"], "kind": "technical"},
            id="interview->A's application",
        ),
        pytest.param(
            "outcomes",
            lambda ids: {
                "application_id": ids["a_application"],
                "kind": "rejection",
                "received_on": "2026-11-20",
            },
            id="outcome->A's application",
        ),
        pytest.param(
            "feedback-conversations",
            lambda ids: {"application_id": ids["a_application"], "contact_name": "Bob"},
            id="feedback->A's application",
        ),
        pytest.param(
            "feedback-conversations",
            lambda ids: {
                "application_id": ids["b_application"],
                "outcome_id": ids["a_outcome"],
                "contact_name": "Bob",
            },
            id="feedback->A's outcome",
        ),
        pytest.param(
            "feedback-conversations",
            lambda ids: {
                "application_id": ids["a_application"],
                "outcome_id": ids["a_outcome"],
                "contact_name": "Bob",
            },
            id="feedback->A's application and outcome",
        ),
        pytest.param(
            "reflections",
            lambda ids: {"application_id": ids["a_application"]},
            id="reflection->A's application",
        ),
        pytest.param(
            "reflections",
            lambda ids: {"outcome_id": ids["a_outcome"]},
            id="reflection->A's outcome",
        ),
        pytest.param(
            "reflections",
            lambda ids: {"application_id": ids["b_application"], "outcome_id": ids["a_outcome"]},
            id="reflection->B's application, A's outcome",
        ),
    ]


@pytest.mark.parametrize(("collection", "build"), reference_cases())
async def test_pointing_at_another_users_records_is_422_and_creates_nothing(
    client, two_users, collection, build
):
    a, b = two_users["a"], two_users["b"]
    a_before = await everything_listed(client, a["headers"])
    a_application = await client.get(
        f"/v1/applications/{two_users['a_application']}", headers=a["headers"]
    )

    response = await client.post(f"/v1/{collection}", json=build(two_users), headers=b["headers"])

    # 422 naming the first field that points away, as for an id that never existed.
    problem = assert_problem(response, 422)
    assert problem["type"].endswith("/reference-not-found")
    [error] = problem["errors"]
    named = build(two_users)[error["field"].removeprefix("body.")]
    assert named in (two_users["a_application"], two_users["a_outcome"])
    assert SECRET not in response.text
    assert await everything_listed(client, b["headers"]) == {
        "interviews": [],
        "outcomes": [],
        "feedback-conversations": [],
        "reflections": [],
    }
    assert await everything_listed(client, a["headers"]) == a_before
    a_after = await client.get(
        f"/v1/applications/{two_users['a_application']}", headers=a["headers"]
    )
    assert a_after.json() == a_application.json()


async def test_moving_a_feedback_conversation_to_another_users_outcome_is_422(client, two_users):
    """Like an unknown outcome; 422, not 404, as the conversation itself exists."""
    b = two_users["b"]
    conversation = await create_feedback(client, b["headers"], two_users["b_application"])

    response = await client.patch(
        f"/v1/feedback-conversations/{conversation['id']}",
        json={"outcome_id": two_users["a_outcome"]},
        headers=b["headers"],
    )

    assert assert_problem(response, 422)["type"].endswith("/reference-not-found")
    unchanged = await client.get(
        f"/v1/feedback-conversations/{conversation['id']}", headers=b["headers"]
    )
    assert unchanged.json() == conversation
