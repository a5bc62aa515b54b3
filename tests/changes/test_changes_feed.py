"""The change feed: GET /v1/changes gives every collection's changes in change order, tombstones
included, paged like any list, with one sync token per user that every list accepts too."""

from typing import Any

import httpx

from tests.contacts.factories import create_contact
from tests.helpers import assert_problem, register
from tests.resources.factories_sync import (
    UPDATES,
    create_application,
    create_record,
    sync_token_of,
    walk,
)
from tests.resources.test_sync_concurrency import ListHook, walk_changes

Change = dict[str, Any]


def keys(changes: list[Change]) -> list[tuple[str, str]]:
    return [(change["collection"], change["record"]["id"]) for change in changes]


async def feed_token(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    return (await walk_changes(client, headers))[1]


async def ok(response: Any) -> dict[str, Any]:
    response = await response
    assert response.status_code in (200, 201, 204), response.text
    return response.json() if response.status_code != 204 else {}


async def story(client: httpx.AsyncClient, h: dict[str, str]) -> dict[str, dict[str, Any]]:
    """A user with a record in every collection, and an application and a contact to delete."""
    kept = await create_application(client, h, 1)
    doomed = await create_application(client, h, 2)
    records = {"applications": kept, "doomed": doomed}
    for collection in ("interviews", "outcomes", "feedback-conversations", "reflections"):
        records[collection] = await create_record(client, h, collection, kept["id"], 1)
    records["doomed interview"] = await create_record(client, h, "interviews", doomed["id"], 2)
    records["contacts"] = await create_contact(client, h, name="Kept")
    records["doomed contact"] = await create_contact(client, h, name="Gone")
    return records


async def test_every_collections_changes_come_in_change_order_with_tombstones(client):
    user = await register(client)
    h = user["headers"]
    records = await story(client, h)
    token = await feed_token(client, h)

    updates = {**UPDATES, "contacts": {"notes": "Met at the meetup."}}
    order = ["reflections", "contacts", "interviews", "applications"]
    order += ["feedback-conversations", "outcomes"]
    for collection in order:
        url = f"/v1/{collection}/{records[collection]['id']}"
        await ok(client.patch(url, json=updates[collection], headers=h))
    await ok(client.delete(f"/v1/contacts/{records['doomed contact']['id']}", headers=h))
    # One write, two records: the application and (its cascade) its interview.
    await ok(client.delete(f"/v1/applications/{records['doomed']['id']}", headers=h))
    late = await create_contact(client, h, name="Late")

    changes, _ = await walk_changes(client, h, token)

    assert keys(changes) == [
        *((collection, records[collection]["id"]) for collection in order),
        ("contacts", records["doomed contact"]["id"]),
        ("applications", records["doomed"]["id"]),
        ("interviews", records["doomed interview"]["id"]),
        ("contacts", late["id"]),
    ]
    tombstones = {change["record"]["id"] for change in changes if change["record"]["deleted_at"]}
    assert tombstones == {
        records[name]["id"] for name in ("doomed contact", "doomed", "doomed interview")
    }
    # Each record exactly as its own list's delta shows it.
    for collection in {change["collection"] for change in changes}:
        in_feed = [c["record"] for c in changes if c["collection"] == collection]
        assert in_feed == (await walk(client, h, collection, updated_since=token))[0]
    by_collection = {change["collection"]: change["record"] for change in changes[: len(order)]}
    for collection in order:
        assert by_collection[collection].items() >= updates[collection].items(), collection


async def test_a_first_sync_gives_every_live_record_of_every_collection(client):
    user = await register(client)
    h = user["headers"]
    records = await story(client, h)
    await ok(client.delete(f"/v1/contacts/{records['doomed contact']['id']}", headers=h))

    changes, _ = await walk_changes(client, h)

    live = {
        (collection, records[name]["id"])
        for name, collection in [
            ("applications", "applications"),
            ("doomed", "applications"),
            ("interviews", "interviews"),
            ("doomed interview", "interviews"),
            ("outcomes", "outcomes"),
            ("feedback-conversations", "feedback-conversations"),
            ("reflections", "reflections"),
            ("contacts", "contacts"),
        ]
    }
    assert set(keys(changes)) == live and len(changes) == len(live)
    assert all(change["record"]["deleted_at"] is None for change in changes)


async def test_pages_follow_the_cursor_and_end_with_the_walks_token(client):
    user = await register(client)
    h = user["headers"]
    await story(client, h)
    whole, token = await walk_changes(client, h)

    pages: list[list[Change]] = []
    params: dict[str, Any] = {"limit": 4}
    while True:
        page = await ok(client.get("/v1/changes", params=params, headers=h))
        pages.append(page["items"])
        assert page["sync_token"] == token
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert [len(items) for items in pages] == [4, 4, 1]
    assert [change for items in pages for change in items] == whole
    nothing = await ok(client.get("/v1/changes", params={"updated_since": token}, headers=h))
    assert nothing == {"items": [], "next_cursor": None, "sync_token": token}


async def test_the_sync_token_then_gives_only_later_changes(client):
    user = await register(client)
    h = user["headers"]
    before = await create_application(client, h, 1)
    token = await feed_token(client, h)
    after = await create_application(client, h, 2)
    contact = await create_contact(client, h)

    changes, next_token = await walk_changes(client, h, token)

    assert keys(changes) == [("applications", after["id"]), ("contacts", contact["id"])]
    assert before["id"] not in {change["record"]["id"] for change in changes}
    assert (await walk_changes(client, h, next_token))[0] == []


async def test_one_token_serves_every_list_and_the_feed(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, 1)
    list_token = await sync_token_of(client, h, "interviews")  # a list's token, on the feed
    contact = await create_contact(client, h)

    changes, token = await walk_changes(client, h, list_token)
    assert keys(changes) == [("contacts", contact["id"])]

    interview = await create_record(client, h, "interviews", application["id"])
    for collection, expected in (("interviews", [interview["id"]]), ("contacts", [])):
        items, _, _ = await walk(client, h, collection, updated_since=token)  # the feed's token
        assert [item["id"] for item in items] == expected


async def test_a_timestamp_is_accepted_as_on_the_lists(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, 1)

    response = await client.get(
        "/v1/changes", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=h
    )

    assert response.status_code == 200, response.text
    assert keys(response.json()["items"]) == [("applications", application["id"])]


async def test_another_users_changes_never_appear(client):
    alice, bob = await register(client), await register(client)
    token = await feed_token(client, alice["headers"])
    await story(client, bob["headers"])

    assert (await walk_changes(client, alice["headers"], token))[0] == []
    assert (await walk_changes(client, alice["headers"]))[0] == []


async def test_a_cursor_of_a_list_is_not_one_of_the_feed_nor_the_other_way(client):
    user = await register(client)
    h = user["headers"]
    for n in range(2):
        await create_application(client, h, n)
    token = await feed_token(client, h)
    params = {"limit": 1, "updated_since": "2000-01-01T00:00:00Z"}
    list_page = await ok(client.get("/v1/applications", params=params, headers=h))
    feed_page = await ok(client.get("/v1/changes", params=params, headers=h))

    for path, cursor in (
        ("/v1/changes", list_page["next_cursor"]),
        ("/v1/applications", feed_page["next_cursor"]),
    ):
        response = await client.get(
            path, params={"updated_since": token, "cursor": cursor}, headers=h
        )
        problem = assert_problem(response, 422)
        assert problem["type"].endswith("/invalid-cursor")
        assert [error["field"] for error in problem["errors"]] == ["query.cursor"]


async def test_the_feed_needs_a_token(client):
    assert_problem(await client.get("/v1/changes"), 401)


async def test_every_list_with_delta_sync_is_in_the_feed(client):
    """A collection added later joins the feed: its list takes `updated_since`, so it must be
    one of the feed's `collection` values (app/tables.py COLLECTIONS), typed by its record."""
    document = (await client.get("/openapi.json")).json()
    synced = {
        path.removeprefix("/v1/"): item["get"]["responses"]["200"]["content"]["application/json"]
        for path, item in document["paths"].items()
        if path != "/v1/changes"
        and any(p["name"] == "updated_since" for p in item.get("get", {}).get("parameters", []))
    }
    schemas = document["components"]["schemas"]
    item_schema = schemas["ChangePage"]["properties"]["items"]["items"]
    in_feed = {}
    for name, ref in item_schema["discriminator"]["mapping"].items():
        change = schemas[ref.rsplit("/", 1)[1]]
        in_feed[name] = change["properties"]["record"]["$ref"]

    assert in_feed.keys() == synced.keys()
    for collection, content in synced.items():
        page = schemas[content["schema"]["$ref"].rsplit("/", 1)[1]]
        assert page["properties"]["items"]["items"]["$ref"] == in_feed[collection]


def is_feed(sql: str) -> bool:
    return "UNION ALL" in sql and "_k1" in sql


async def test_a_write_committed_while_the_page_is_read_comes_next_time(client, monkeypatch):
    """The feed's token comes from the sequence read with the page, in one statement, as the
    lists' does: a write committed after the page was read is in the next delta."""
    user = await register(client)
    h = user["headers"]
    token = await feed_token(client, h)
    late: list[str] = []

    async def write_concurrently() -> None:
        late.append((await create_contact(client, h))["id"])

    hook = ListHook("after", matches=is_feed)
    hook.install(monkeypatch)
    hook.action = write_concurrently
    page = await ok(client.get("/v1/changes", params={"updated_since": token}, headers=h))
    assert hook.action is None and len(late) == 1, "the hook never ran"
    assert page["items"] == []

    changes, _ = await walk_changes(client, h, page["sync_token"])
    assert keys(changes) == [("contacts", late[0])]


async def test_a_write_committed_before_the_page_is_read_comes_exactly_once(client, monkeypatch):
    user = await register(client)
    h = user["headers"]
    token = await feed_token(client, h)
    early: list[str] = []

    async def write_concurrently() -> None:
        early.append((await create_application(client, h, 1))["id"])

    hook = ListHook("before", matches=is_feed)
    hook.install(monkeypatch)
    hook.action = write_concurrently
    page = await ok(client.get("/v1/changes", params={"updated_since": token}, headers=h))
    assert hook.action is None and len(early) == 1, "the hook never ran"
    assert keys(page["items"]) == [("applications", early[0])]

    assert (await walk_changes(client, h, page["sync_token"]))[0] == []
