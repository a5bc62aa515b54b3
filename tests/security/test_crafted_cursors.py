"""Cursors and sync tokens are the client's input like any other: whatever comes back in
`cursor` or `updated_since`, on every list, is a page or a 422 `invalid-cursor` naming the
parameter, never a 5xx (issue 17, finding 3)."""

import base64
import json
import uuid
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contacts.factories import create_contact
from tests.helpers import assert_problem, register
from tests.resources.factories_sync import COLLECTIONS, create_record, parent_for

LISTS = (*COLLECTIONS, "contacts", "changes")  # and the change feed, paged like a list
# Every (collection, sort) a cursor can belong to; None is the default order.
SORTS = [(name, None) for name in LISTS] + [
    ("applications", sort) for sort in ("company", "-company", "applied_on", "-applied_on")
]
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def token(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()


async def seeded(client) -> dict[str, Any]:
    """A user with three records in every list, so each list has a second page."""
    user = await register(client)
    headers = user["headers"]
    for collection in COLLECTIONS:
        parent = await parent_for(client, headers, collection)
        for n in range(3):
            await create_record(client, headers, collection, parent, n)
    for n in range(3):
        await create_contact(client, headers, name=f"Contact {n}")
    return headers


def assert_invalid_cursor(response, parameter: str) -> None:
    problem = assert_problem(response, 422)
    assert problem["type"].endswith("/invalid-cursor")
    assert [error["field"] for error in problem["errors"]] == [f"query.{parameter}"]


ID = str(uuid.uuid4())
NEWEST = "list:-updated_at"
FOUND = [
    # finding 3 as reported: an id that is a number, a timestamp past the calendar's ends once
    # in UTC, a NUL inside a text key; then every other wrong type in each position
    ("applications", None, {"m": NEWEST, "w": 1, "v": ["2026-01-01T00:00:00+00:00", 5]}),
    ("applications", None, {"m": NEWEST, "w": 1, "v": ["0001-01-01T00:00:00+14:00", ID]}),
    ("applications", None, {"m": NEWEST, "w": 1, "v": ["9999-12-31T23:59:59-14:00", ID]}),
    ("applications", "company", {"m": "list:company", "w": 1, "v": ["a\x00b", ID]}),
    ("applications", "company", {"m": "list:company", "w": 1, "v": [{"a": 1}, ID]}),
    ("applications", "applied_on", {"m": "list:applied_on", "w": 1, "v": [20260101, ID]}),
    ("applications", None, {"m": NEWEST, "w": True, "v": ["2026-01-01T00:00:00Z", ID]}),
    ("applications", None, {"m": NEWEST, "w": 2**64, "v": ["2026-01-01T00:00:00Z", ID]}),
    ("outcomes", None, {"m": "sync", "w": 1, "v": ["1", ID]}),
    ("contacts", None, {"m": NEWEST, "w": 1, "v": [None, None]}),
    ("reflections", None, {"m": NEWEST, "w": 1, "v": "nope"}),
    # the change feed's keys: a sequence, a collection of the feed, an id
    ("changes", None, {"m": "changes", "w": 1, "v": [1, "stage-changes", ID]}),
    ("changes", None, {"m": "changes", "w": 1, "v": ["1", "applications", ID]}),
    ("changes", None, {"m": "changes", "w": 1, "v": [1, "applications", 5]}),
    ("changes", None, {"m": "sync", "w": 1, "v": [1, ID]}),
]


@pytest.mark.parametrize(("collection", "sort", "payload"), FOUND)
async def test_a_cursor_with_values_of_the_wrong_type_or_range_is_422(
    client, collection, sort, payload
):
    user = await register(client)
    params = {"cursor": token(payload), **({"sort": sort} if sort else {})}
    if payload["m"] == "sync":
        params["updated_since"] = token({"s": 0})

    response = await client.get(f"/v1/{collection}", params=params, headers=user["headers"])

    assert_invalid_cursor(response, "cursor")


@pytest.mark.parametrize("path", ["/v1/interviews", "/v1/changes"])
@pytest.mark.parametrize(
    "value",
    [
        token({"s": -1}),
        token({"s": "1"}),
        token({"s": 2**63}),
        token([1]),
        "[" * 150,
        "\u00e9t\u00e9",
    ],
)
async def test_a_sync_token_the_api_did_not_write_is_422(client, path, value):
    user = await register(client)

    response = await client.get(path, params={"updated_since": value}, headers=user["headers"])

    assert_invalid_cursor(response, "updated_since")


async def test_a_timestamp_whose_plus_was_not_encoded_is_read_as_meant(client):
    """Issue 18 #3: the `+` arrives as a space; nothing else the parameter takes has one."""
    user = await register(client)

    response = await client.get(
        "/v1/applications?updated_since=2026-01-01T00:00:00+00:00", headers=user["headers"]
    )

    assert response.status_code == 200, response.text


async def test_an_unreadable_timestamp_is_explained_with_url_encoding(client):
    user = await register(client)

    response = await client.get(
        "/v1/applications?updated_since=2026-01-01T00:00:00+0", headers=user["headers"]
    )

    assert_invalid_cursor(response, "updated_since")
    assert "%2B" in response.json()["errors"][0]["message"]


async def test_deeply_nested_json_in_a_cursor_is_422(client):
    user = await register(client)

    response = await client.get(
        "/v1/applications",
        params={"cursor": base64.urlsafe_b64encode(b"[" * 1400).decode()},
        headers=user["headers"],
    )

    assert_invalid_cursor(response, "cursor")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@pytest.fixture
def once() -> dict[str, Any]:
    """What a property test sets up once and reuses across its examples."""
    return {}


@given(data=st.data())
@EXAMPLES
async def test_mutated_real_cursors_never_fail_the_server(client, once, data):
    """A real cursor of every list and sort, with its watermark, one key value or the id
    replaced by arbitrary JSON: a page or a 422, on both databases."""
    if "headers" not in once:
        once["headers"] = await seeded(client)
    headers = once["headers"]
    collection, sort = data.draw(st.sampled_from(SORTS))
    params = {"limit": 1, **({"sort": sort} if sort else {})}
    first = await client.get(f"/v1/{collection}", params=params, headers=headers)
    cursor = first.json()["next_cursor"]
    payload = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    where = data.draw(st.sampled_from(["w", *range(len(payload["v"]))]))
    replacement = data.draw(JSON | st.datetimes(timezones=st.timezones()).map(str))
    if where == "w":
        payload["w"] = replacement
    else:
        payload["v"][where] = replacement

    response = await client.get(
        f"/v1/{collection}", params={**params, "cursor": token(payload)}, headers=headers
    )

    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert_invalid_cursor(response, "cursor")


@given(collection=st.sampled_from(LISTS), parameter=st.sampled_from(["cursor", "updated_since"]),
       value=st.text(min_size=1, max_size=200))  # fmt: skip
@EXAMPLES
async def test_arbitrary_text_as_a_cursor_or_sync_token_never_fails_the_server(
    client, once, collection, parameter, value
):
    if "user" not in once:
        once["user"] = await register(client)
    user = once["user"]

    response = await client.get(
        f"/v1/{collection}", params={parameter: value}, headers=user["headers"]
    )

    assert response.status_code in (200, 422), response.text
