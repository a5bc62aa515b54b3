"""Delta sync: `updated_since=<sync_token>` returns exactly what changed since, tombstones
included, in change order, paged like any list, and only ever the caller's own changes."""

import base64

import pytest

from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories_sync import (
    COLLECTIONS,
    DEPENDENT_COLLECTIONS,
    UPDATES,
    create_application,
    create_record,
    parent_for,
    sync_token_of,
    walk,
)


def ids(items):
    return [item["id"] for item in items]


async def test_the_first_list_carries_a_sync_token(client):
    user = await register(client)
    response = await client.get("/v1/applications", headers=user["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == [] and body["next_cursor"] is None
    assert isinstance(body["sync_token"], str) and body["sync_token"]


async def test_a_sync_with_no_changes_is_empty_and_gives_a_token(client):
    user = await register(client)
    h = user["headers"]
    await create_application(client, h)
    token = await sync_token_of(client, h, "applications")

    response = await client.get("/v1/applications", params={"updated_since": token}, headers=h)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == [] and body["next_cursor"] is None
    assert isinstance(body["sync_token"], str) and body["sync_token"]

    # The token of an empty delta is as good as the one before it.
    response = await client.get(
        "/v1/applications", params={"updated_since": body["sync_token"]}, headers=h
    )
    assert response.json()["items"] == []


async def test_the_delta_is_exactly_the_changes_in_change_order(client):
    user = await register(client)
    h = user["headers"]
    a, b, c, untouched = [await create_application(client, h, n) for n in range(4)]
    token = await sync_token_of(client, h, "applications")

    r = await client.patch(f"/v1/applications/{b['id']}", json={"notes": "b1"}, headers=h)
    assert r.status_code == 200, r.text
    r = await client.delete(f"/v1/applications/{c['id']}", headers=h)
    assert r.status_code == 204, r.text
    e = await create_application(client, h, 10)
    r = await client.patch(f"/v1/applications/{a['id']}", json={"stage": "screening"}, headers=h)
    assert r.status_code == 200, r.text

    items, _, _ = await walk(client, h, "applications", updated_since=token)
    assert ids(items) == [b["id"], c["id"], e["id"], a["id"]]
    assert untouched["id"] not in ids(items)
    by_id = {item["id"]: item for item in items}
    assert by_id[b["id"]]["notes"] == "b1" and by_id[b["id"]]["version"] == 2
    assert by_id[a["id"]]["stage"] == "screening" and by_id[a["id"]]["version"] == 2
    assert by_id[e["id"]]["version"] == 1 and by_id[e["id"]]["deleted_at"] is None
    for item in (by_id[a["id"]], by_id[b["id"]], by_id[e["id"]]):
        assert item["deleted_at"] is None

    # The tombstone keeps the record's fields, with deleted_at set and a new version.
    tombstone = by_id[c["id"]]
    assert tombstone["deleted_at"] is not None
    assert tombstone["version"] == c["version"] + 1
    for field in ("company", "role_title", "tags", "stage", "source", "created_at"):
        assert tombstone[field] == c[field], field

    # Plain lists never show the deleted record.
    live, _, _ = await walk(client, h, "applications")
    assert c["id"] not in ids(live) and len(live) == 4


async def test_a_record_changed_twice_appears_once_at_its_last_change(client):
    user = await register(client)
    h = user["headers"]
    a, b = [await create_application(client, h, n) for n in range(2)]
    token = await sync_token_of(client, h, "applications")

    for patch in ({"notes": "first"}, {"notes": "second"}):
        r = await client.patch(f"/v1/applications/{a['id']}", json=patch, headers=h)
        assert r.status_code == 200, r.text
    r = await client.patch(f"/v1/applications/{b['id']}", json={"notes": "b"}, headers=h)
    assert r.status_code == 200, r.text
    r = await client.patch(f"/v1/applications/{a['id']}", json={"notes": "third"}, headers=h)
    assert r.status_code == 200, r.text

    items, _, _ = await walk(client, h, "applications", updated_since=token)
    assert ids(items) == [b["id"], a["id"]]
    assert items[1]["notes"] == "third" and items[1]["version"] == 4


async def test_paging_through_a_large_delta_gives_every_change_once(client):
    user = await register(client)
    h = user["headers"]
    existing = [await create_application(client, h, n) for n in range(4)]
    token = await sync_token_of(client, h, "applications")

    expected = []  # (id, version) in change order
    for n in range(8):
        created = await create_application(client, h, 100 + n)
        expected.append((created["id"], 1))
    for record in existing[:3]:
        r = await client.patch(f"/v1/applications/{record['id']}", json={"notes": "x"}, headers=h)
        assert r.status_code == 200, r.text
        expected.append((record["id"], 2))
    r = await client.delete(f"/v1/applications/{existing[3]['id']}", headers=h)
    assert r.status_code == 204, r.text
    expected.append((existing[3]["id"], 2))
    assert len(expected) == 12

    items, last_token, pages = await walk(client, h, "applications", updated_since=token, limit=5)
    assert pages == 3
    assert [(item["id"], item["version"]) for item in items] == expected
    assert len(set(ids(items))) == 12

    # The last page's token: nothing is left behind it.
    rest, _, _ = await walk(client, h, "applications", updated_since=last_token)
    assert rest == []


async def test_following_tokens_round_after_round_never_misses_a_change(client):
    user = await register(client)
    h = user["headers"]
    mirror: dict[str, int] = {}
    items, token, _ = await walk(client, h, "applications")
    live: list[str] = []

    for round_ in range(5):
        # Write a little of everything, then sync with small pages.
        for n in range(3):
            live.append((await create_application(client, h, round_ * 10 + n))["id"])
        r = await client.patch(
            f"/v1/applications/{live[0]}", json={"interest": 1 + round_}, headers=h
        )
        assert r.status_code == 200, r.text
        gone = live.pop(1)
        r = await client.delete(f"/v1/applications/{gone}", headers=h)
        assert r.status_code == 204, r.text

        items, token, _ = await walk(client, h, "applications", updated_since=token, limit=2)
        assert gone in ids(items)
        for item in items:
            if item["deleted_at"] is None:
                mirror[item["id"]] = item["version"]
            else:
                mirror.pop(item["id"], None)

        full, _, _ = await walk(client, h, "applications")
        assert mirror == {item["id"]: item["version"] for item in full}, round_
    assert sorted(mirror) == sorted(live)


async def test_deleting_an_application_tombstones_its_dependents(client):
    user = await register(client)
    h = user["headers"]
    doomed = await create_application(client, h, 1)
    kept = await create_application(client, h, 2)
    children = {}
    for parent in (doomed, kept):
        for collection in DEPENDENT_COLLECTIONS:
            record = await create_record(client, h, collection, parent["id"])
            children[(parent["id"], collection)] = record
    token = await sync_token_of(client, h, "applications")

    r = await client.delete(f"/v1/applications/{doomed['id']}", headers=h)
    assert r.status_code == 204, r.text

    items, _, _ = await walk(client, h, "applications", updated_since=token)
    assert ids(items) == [doomed["id"]] and items[0]["deleted_at"] is not None
    for collection in DEPENDENT_COLLECTIONS:
        items, _, _ = await walk(client, h, collection, updated_since=token)
        child = children[(doomed["id"], collection)]
        assert ids(items) == [child["id"]], (collection, items)
        assert items[0]["deleted_at"] is not None, collection
        assert items[0]["version"] == child["version"] + 1, collection
        assert items[0]["application_id"] == doomed["id"], collection
        # The other application's records are untouched and still listed.
        live, _, _ = await walk(client, h, collection)
        assert ids(live) == [children[(kept["id"], collection)]["id"]], collection


async def test_updated_since_accepts_an_rfc3339_timestamp_with_z(client):
    user = await register(client)
    h = user["headers"]
    a = await create_application(client, h, 1)
    b = await create_application(client, h, 2)
    assert b["updated_at"].endswith("Z")

    r = await client.patch(f"/v1/applications/{a['id']}", json={"notes": "later"}, headers=h)
    assert r.status_code == 200, r.text
    c = await create_application(client, h, 3)

    items, token, _ = await walk(client, h, "applications", updated_since=b["updated_at"])
    assert ids(items) == [a["id"], c["id"]]
    # Its sync_token works like any other.
    r = await client.delete(f"/v1/applications/{b['id']}", headers=h)
    assert r.status_code == 204, r.text
    items, _, _ = await walk(client, h, "applications", updated_since=token)
    assert ids(items) == [b["id"]] and items[0]["deleted_at"] is not None

    # A time long ago: everything, tombstones included, in change order.
    items, _, _ = await walk(client, h, "applications", updated_since="2000-01-01T00:00:00Z")
    assert ids(items) == [a["id"], c["id"], b["id"]]
    # Another zone than Z is the same instant.
    items, _, _ = await walk(client, h, "applications", updated_since="2000-01-01T02:00:00+02:00")
    assert len(items) == 3


def token(payload: str) -> str:
    """A token as the API encodes them (base64url JSON), for tokens it never issued."""
    return base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-01T00:00:00",  # no zone
        "2026-01-01",  # a date is a time without a zone
        "garbage",
        "not a token at all!",
        token("{}"),  # decodes, but no sequence in it
        token("[]"),
        token('{"s":-1}'),
        token('{"s":"1"}'),
        token('{"s":1.5}'),
        pytest.param(token('{"s":true}'), id="s-true"),
        pytest.param(token('{"s":9223372036854775808}'), id="s-2**63"),
        pytest.param("0001-01-01T00:00:00+01:00", id="year-0-utc"),
        pytest.param("9999-12-31T23:59:59-01:00", id="year-10000"),
    ],
)
async def test_updated_since_refuses_what_it_cannot_read(client, value):
    user = await register(client)
    response = await client.get(
        "/v1/applications", params={"updated_since": value}, headers=user["headers"]
    )
    assert bad_fields(response) == {"query.updated_since"}
    assert value not in response.text


async def test_a_sync_cursor_from_a_plain_list_is_refused(client):
    user = await register(client)
    h = user["headers"]
    for n in range(3):
        await create_application(client, h, n)
    first = (await client.get("/v1/applications", params={"limit": 1}, headers=h)).json()
    token = first["sync_token"]
    response = await client.get(
        "/v1/applications",
        params={"limit": 1, "updated_since": token, "cursor": first["next_cursor"]},
        headers=h,
    )
    assert_problem(response, 422)


async def test_each_user_syncs_only_their_own_changes(client):
    alice = await register(client)
    bob = await register(client)
    a0 = await create_application(client, alice["headers"], 1)
    b0 = await create_application(client, bob["headers"], 1)
    alice_token = await sync_token_of(client, alice["headers"], "applications")
    bob_token = await sync_token_of(client, bob["headers"], "applications")

    # Bob writes a lot, so his sequence runs far ahead of Alice's.
    for n in range(5):
        await create_application(client, bob["headers"], 10 + n)
    r = await client.patch(
        f"/v1/applications/{b0['id']}", json={"notes": "bob"}, headers=bob["headers"]
    )
    assert r.status_code == 200, r.text
    r = await client.delete(f"/v1/applications/{b0['id']}", headers=bob["headers"])
    assert r.status_code == 204, r.text
    a1 = await create_application(client, alice["headers"], 2)

    items, _, _ = await walk(client, alice["headers"], "applications", updated_since=alice_token)
    assert ids(items) == [a1["id"]]
    # Bob's token in Alice's hands still shows only Alice's records.
    items, _, _ = await walk(client, alice["headers"], "applications", updated_since=bob_token)
    assert set(ids(items)) <= {a0["id"], a1["id"]}
    # And from the beginning of time, Alice never sees Bob's tombstone.
    items, _, _ = await walk(
        client, alice["headers"], "applications", updated_since="2000-01-01T00:00:00Z"
    )
    assert ids(items) == [a0["id"], a1["id"]]

    items, _, _ = await walk(client, bob["headers"], "applications", updated_since=bob_token)
    assert len(items) == 6 and a1["id"] not in ids(items)
    assert items[-1]["id"] == b0["id"] and items[-1]["deleted_at"] is not None


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_sync_works_for_every_collection(client, collection):
    user = await register(client)
    h = user["headers"]
    parent = await parent_for(client, h, collection)
    changed, deleted, untouched = [
        await create_record(client, h, collection, parent, n) for n in range(3)
    ]
    items, token, _ = await walk(client, h, collection)
    assert len(items) == 3

    r = await client.patch(f"/v1/{collection}/{changed['id']}", json=UPDATES[collection], headers=h)
    assert r.status_code == 200, r.text
    r = await client.delete(f"/v1/{collection}/{deleted['id']}", headers=h)
    assert r.status_code == 204, r.text
    created = await create_record(client, h, collection, parent, 3)

    items, next_token, pages = await walk(client, h, collection, updated_since=token, limit=2)
    assert pages == 2
    assert ids(items) == [changed["id"], deleted["id"], created["id"]]
    assert untouched["id"] not in ids(items)
    assert items[0]["version"] == 2 and items[0]["deleted_at"] is None
    for field, value in UPDATES[collection].items():
        assert items[0][field] == value
    assert items[1]["deleted_at"] is not None and items[1]["version"] == 2
    assert {
        k: v for k, v in items[1].items() if k not in ("deleted_at", "updated_at", "version")
    } == {k: v for k, v in deleted.items() if k not in ("deleted_at", "updated_at", "version")}
    assert items[2]["version"] == 1

    items, _, _ = await walk(client, h, collection, updated_since=next_token)
    assert items == []


async def test_a_first_download_in_pages_then_a_delta_mirrors_the_server(client):
    """What a new device does: read the whole collection page by page, then sync."""
    user = await register(client)
    h = user["headers"]
    records = [await create_application(client, h, n) for n in range(7)]

    items, token, pages = await walk(client, h, "applications", limit=3)
    assert pages == 3 and sorted(ids(items)) == sorted(ids(records))
    r = await client.patch(f"/v1/applications/{records[0]['id']}", json={"notes": "x"}, headers=h)
    assert r.status_code == 200, r.text
    items, _, _ = await walk(client, h, "applications", updated_since=token)
    assert ids(items) == [records[0]["id"]]


async def test_a_sync_cursor_with_an_impossible_position_is_refused(client):
    user = await register(client)
    h = user["headers"]
    first = await create_application(client, h)
    cursor = token(f'{{"m":"sync","w":1,"v":[{2**70},"{first["id"]}"]}}')
    response = await client.get(
        "/v1/applications",
        params={"updated_since": token('{"s":0}'), "cursor": cursor, "limit": 1},
        headers=h,
    )
    assert bad_fields(response) == {"query.cursor"}
