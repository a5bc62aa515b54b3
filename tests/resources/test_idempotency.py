"""Idempotency-Key on POST: a retry replays the first response instead of writing twice."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import utcnow
from app.shared.idempotency import KEEP_FOR, IdempotencyKey
from tests.helpers import PASSWORD, assert_problem, bearer, register
from tests.resources.factories_sync import COLLECTIONS, create_body, parent_for, walk

BODY = {"company": "Acme", "role_title": "Engineer", "tags": ["remote"]}
REFLECTION = {"answers": [{"prompt_key": "what_learned", "answer": "Ask about the team."}]}


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


async def user_id_of(client, headers) -> uuid.UUID:
    response = await client.get("/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return uuid.UUID(response.json()["id"])


async def stored_key(app, user_id: uuid.UUID, key: str) -> IdempotencyKey | None:
    async with AsyncSession(app.state.engine) as session:
        return await session.get(IdempotencyKey, (user_id, key))


async def store_key(app, **fields) -> None:
    async with AsyncSession(app.state.engine) as session:
        session.add(IdempotencyKey(**fields))
        await session.commit()


async def fingerprint_of(app, user_id: uuid.UUID, key: str) -> str:
    """The fingerprint the server stored for an earlier request (the same path and body)."""
    row = await stored_key(app, user_id, key)
    assert row is not None
    return row.fingerprint


async def count(client, headers, collection="applications") -> int:
    return len((await walk(client, headers, collection))[0])


async def test_the_same_key_and_body_replays_the_first_response(client, app):
    user = await register(client)
    h = keyed(user["headers"], "create-acme-1")

    first = await client.post("/v1/applications", json=BODY, headers=h)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = await client.post("/v1/applications", json=BODY, headers=h)

    assert second.status_code == 201, second.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    for header in ("location", "etag", "content-type"):
        assert second.headers[header] == first.headers[header], header
    assert await count(client, user["headers"]) == 1

    # A third retry is a replay too; the record itself is untouched.
    third = await client.post("/v1/applications", json=BODY, headers=h)
    assert third.json() == first.json() and third.headers["idempotent-replayed"] == "true"
    record = await client.get(first.headers["location"], headers=user["headers"])
    assert record.json()["version"] == 1


async def test_the_same_key_with_another_body_is_refused(client):
    user = await register(client)
    h = keyed(user["headers"], "k-1")
    first = await client.post("/v1/applications", json=BODY, headers=h)
    assert first.status_code == 201, first.text

    other = await client.post("/v1/applications", json={**BODY, "company": "Other"}, headers=h)
    body = assert_problem(other, 422)
    assert "Other" not in other.text and "idempotent-replayed" not in other.headers
    assert body["type"].endswith("idempotency-conflict")
    # The same key on another path is another request too.
    r = await client.post(
        "/v1/interviews",
        json={"application_id": first.json()["id"], "kind": "technical"},
        headers=h,
    )
    assert_problem(r, 422)
    assert await count(client, user["headers"]) == 1
    assert await count(client, user["headers"], "interviews") == 0


async def test_a_request_still_in_flight_answers_409_with_retry_after(client, app):
    """PostgreSQL: a running request holds its key's transaction lock; a retry meanwhile is
    told to come back (held here by the test, as the first request would hold it)."""
    if app.state.database.dialect != "postgresql":
        pytest.skip("SQLite runs one write at a time: a retry waits its turn (next test)")
    user = await register(client)
    user_id = await user_id_of(client, user["headers"])
    async with app.state.engine.connect() as held:
        await held.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"{user_id}:running"},
        )
        response = await client.post(
            "/v1/applications", json=BODY, headers=keyed(user["headers"], "running")
        )
        body = assert_problem(response, 409)
        assert body["type"].endswith("idempotency-conflict")
        assert response.headers["retry-after"] == "1"
        await held.rollback()
    assert await count(client, user["headers"]) == 0
    assert await stored_key(app, user_id, "running") is None
    # Once the first is done, the retry runs.
    retried = await client.post(
        "/v1/applications", json=BODY, headers=keyed(user["headers"], "running")
    )
    assert retried.status_code == 201, retried.text


async def test_on_sqlite_a_retry_waits_for_the_running_request_and_replays_it(client, app):
    if app.state.database.dialect != "sqlite":
        pytest.skip("PostgreSQL answers 409 at once (previous test)")
    user = await register(client)
    h = keyed(user["headers"], "queued")
    first = await client.post("/v1/applications", json=BODY, headers=h)
    # Another writer holds SQLite's write lock for a moment: the retry waits, then replays.
    async with app.state.engine.connect() as held:
        await held.exec_driver_sql("BEGIN IMMEDIATE")
        retry = asyncio.create_task(client.post("/v1/applications", json=BODY, headers=h))
        await asyncio.sleep(0.2)
        assert not retry.done()
        await held.rollback()
    response = await retry
    assert response.status_code == 201 and response.headers["idempotent-replayed"] == "true"
    assert response.json() == first.json()


async def test_a_reservation_an_earlier_version_left_is_taken_over(client, app):
    """Versions before answers were committed with their writes reserved the key first; a
    reservation one of them left (status null) does not block the key."""
    user = await register(client)
    user_id = await user_id_of(client, user["headers"])
    r = await client.post("/v1/applications", json=BODY, headers=keyed(user["headers"], "a"))
    assert r.status_code == 201, r.text
    await store_key(
        app,
        user_id=user_id,
        key="crashed",
        fingerprint=await fingerprint_of(app, user_id, "a"),
        created_at=utcnow(),
        status_code=None,
    )

    response = await client.post(
        "/v1/applications", json=BODY, headers=keyed(user["headers"], "crashed")
    )
    assert response.status_code == 201, response.text
    assert "idempotent-replayed" not in response.headers
    assert await count(client, user["headers"]) == 2
    # The key now holds this response.
    again = await client.post(
        "/v1/applications", json=BODY, headers=keyed(user["headers"], "crashed")
    )
    assert again.headers["idempotent-replayed"] == "true" and again.json() == response.json()


async def test_stored_answers_are_sealed_and_bound_to_their_account_and_key(client, app):
    user = await register(client)
    user_id = await user_id_of(client, user["headers"])
    secret_text = "I froze on the system design question"
    r = await client.post(
        "/v1/reflections",
        json=REFLECTION | {"went_well": [secret_text]},
        headers=keyed(user["headers"], "private"),
    )
    assert r.status_code == 201, r.text
    row = await stored_key(app, user_id, "private")
    assert row is not None and row.response_body is not None
    assert secret_text.encode() not in row.response_body
    assert b"froze" not in row.response_body and row.response_body.startswith(b"\x01")

    # The sealed answer moved under another key does not open: the request runs afresh.
    await store_key(
        app,
        user_id=user_id,
        key="moved",
        fingerprint=row.fingerprint,
        created_at=utcnow(),
        status_code=201,
        response_headers=row.response_headers,
        response_body=row.response_body,
    )
    moved = await client.post(
        "/v1/reflections",
        json=REFLECTION | {"went_well": [secret_text]},
        headers=keyed(user["headers"], "moved"),
    )
    assert moved.status_code == 201 and "idempotent-replayed" not in moved.headers
    assert moved.json()["id"] != r.json()["id"]
    replay = await client.post(
        "/v1/reflections",
        json=REFLECTION | {"went_well": [secret_text]},
        headers=keyed(user["headers"], "private"),
    )
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == r.json()


async def test_an_answer_stored_in_the_clear_by_an_earlier_version_still_replays(client, app):
    user = await register(client)
    user_id = await user_id_of(client, user["headers"])
    r = await client.post("/v1/applications", json=BODY, headers=keyed(user["headers"], "a"))
    await store_key(
        app,
        user_id=user_id,
        key="clear",
        fingerprint=await fingerprint_of(app, user_id, "a"),
        created_at=utcnow(),
        status_code=201,
        response_headers=[["content-type", "application/json"]],
        response_body=r.content,
    )
    again = await client.post(
        "/v1/applications", json=BODY, headers=keyed(user["headers"], "clear")
    )
    assert again.headers["idempotent-replayed"] == "true" and again.json() == r.json()
    assert await count(client, user["headers"]) == 1


async def test_an_expired_key_is_a_new_request(client, app):
    user = await register(client)
    user_id = await user_id_of(client, user["headers"])
    await store_key(
        app,
        user_id=user_id,
        key="old",
        fingerprint="0" * 64,  # another body entirely: would be 422 if the key still counted
        created_at=utcnow() - KEEP_FOR - timedelta(minutes=1),
        status_code=201,
        response_headers=[["content-type", "application/json"]],
        response_body=b'{"stale": true}',
    )

    response = await client.post(
        "/v1/applications", json=BODY, headers=keyed(user["headers"], "old")
    )
    assert response.status_code == 201, response.text
    assert "idempotent-replayed" not in response.headers and "stale" not in response.text
    assert await count(client, user["headers"]) == 1
    row = await stored_key(app, user_id, "old")
    assert row is not None and row.status_code == 201 and row.fingerprint != "0" * 64


async def test_keys_belong_to_one_user(client):
    alice = await register(client)
    bob = await register(client)
    a = await client.post("/v1/applications", json=BODY, headers=keyed(alice["headers"], "shared"))
    b = await client.post("/v1/applications", json=BODY, headers=keyed(bob["headers"], "shared"))

    assert a.status_code == b.status_code == 201, (a.text, b.text)
    assert "idempotent-replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]
    assert [i["id"] for i in (await walk(client, bob["headers"], "applications"))[0]] == [
        b.json()["id"]
    ]
    assert await count(client, alice["headers"]) == 1
    # Each user's retry replays their own response.
    again = await client.post(
        "/v1/applications", json=BODY, headers=keyed(bob["headers"], "shared")
    )
    assert again.json() == b.json() and again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize(
    ("key", "status"),
    [("k" * 256, 422), ("", 422), ("caf\u00e9", 422), ("k" * 255, 201), ("~!@#$%^&*()", 201)],
)
async def test_the_key_must_be_1_to_255_printable_ascii_characters(client, key, status):
    user = await register(client)
    response = await client.post(
        "/v1/applications",
        json=BODY,
        headers=[*user["headers"].items(), ("Idempotency-Key", key.encode())],
    )
    if status == 422:
        assert_problem(response, 422)
        assert await count(client, user["headers"]) == 0
    else:
        assert response.status_code == 201, response.text


async def test_a_refused_request_is_replayed_as_the_same_422(client):
    user = await register(client)
    h = keyed(user["headers"], "bad-body")
    bad = {"company": "", "role_title": "Engineer", "unknown": 1}

    first = await client.post("/v1/applications", json=bad, headers=h)
    assert_problem(first, 422)
    second = await client.post("/v1/applications", json=bad, headers=h)

    assert_problem(second, 422)
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    # The key is spent on that request: a corrected body needs a new key.
    fixed = await client.post("/v1/applications", json=BODY, headers=h)
    assert_problem(fixed, 422)
    assert await count(client, user["headers"]) == 0


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_every_resource_create_is_idempotent(client, collection):
    user = await register(client)
    parent = await parent_for(client, user["headers"], collection)
    body = create_body(collection, parent, 7)
    h = keyed(user["headers"], f"create-{collection}")

    first = await client.post(f"/v1/{collection}", json=body, headers=h)
    assert first.status_code == 201, first.text
    second = await client.post(f"/v1/{collection}", json=body, headers=h)

    assert second.status_code == 201 and second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert await count(client, user["headers"], collection) == 1
    if collection == "outcomes":  # the stage moved once: one timeline entry, not two
        timeline = await client.get(f"/v1/applications/{parent}/timeline", headers=user["headers"])
        assert [e["cause"] for e in timeline.json()["items"]] == ["user", "outcome"]


async def test_a_password_change_is_replayed_not_repeated(client):
    user = await register(client)
    h = keyed(user["headers"], "pw-1")
    body = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}

    first = await client.post("/v1/me/password", json=body, headers=h)
    assert first.status_code == 204, first.text
    # Run again, the change would fail: the current password is not PASSWORD any more.
    second = await client.post("/v1/me/password", json=body, headers=h)
    assert second.status_code == 204, second.text
    assert second.headers["idempotent-replayed"] == "true" and second.content == b""

    token = await client.post(
        "/v1/auth/token",
        data={"username": user["email"], "password": "a brand new passphrase"},
    )
    assert token.status_code == 200, token.text


async def test_auth_routes_ignore_the_key(client, app):
    someone = await register(client)
    headers = {**someone["headers"], "Idempotency-Key": "same-key"}  # signed in, even
    emails = [f"first-{uuid.uuid4().hex[:6]}@example.com", f"second-{uuid.uuid4().hex[:6]}@ex.com"]

    responses = [
        await client.post(
            "/v1/auth/register", json={"email": email, "password": PASSWORD}, headers=headers
        )
        for email in emails
    ]
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    assert all("idempotent-replayed" not in r.headers for r in responses)
    assert responses[0].json()["tokens"] != responses[1].json()["tokens"]
    # Two token requests with one key: each gets its own fresh tokens, nothing is stored.
    pairs = [
        await client.post(
            "/v1/auth/token",
            data={"username": emails[0], "password": PASSWORD},
            headers=headers,
        )
        for _ in range(2)
    ]
    assert [p.status_code for p in pairs] == [200, 200]
    assert pairs[0].json()["refresh_token"] != pairs[1].json()["refresh_token"]
    new_user = bearer(responses[0].json()["tokens"]["access_token"])
    assert (await client.get("/v1/me", headers=new_user)).status_code == 200
    someone_id = await user_id_of(client, someone["headers"])
    assert await stored_key(app, someone_id, "same-key") is None


async def test_concurrent_retries_with_one_key_write_once(client):
    user = await register(client)
    h = keyed(user["headers"], "racing")

    responses = await asyncio.gather(
        *(client.post("/v1/applications", json=BODY, headers=h) for _ in range(4))
    )
    originals = [
        r for r in responses if "idempotent-replayed" not in r.headers and r.status_code == 201
    ]
    assert len(originals) == 1, [(r.status_code, r.text) for r in responses]
    for response in responses:
        if response is originals[0]:
            continue
        if response.status_code == 409:
            assert_problem(response, 409)
        else:
            assert response.headers["idempotent-replayed"] == "true", response.text
            assert response.json() == originals[0].json()
    assert await count(client, user["headers"]) == 1


async def test_a_key_without_a_valid_token_stores_nothing(client, app):
    user = await register(client)
    user_id = await user_id_of(client, user["headers"])
    for headers in ({}, bearer("not-a-jwt")):
        response = await client.post(
            "/v1/applications", json=BODY, headers={**headers, "Idempotency-Key": "anon"}
        )
        assert_problem(response, 401)
    assert await stored_key(app, user_id, "anon") is None
    # The key is still free for the real request.
    response = await client.post(
        "/v1/applications", json=BODY, headers=keyed(user["headers"], "anon")
    )
    assert response.status_code == 201 and "idempotent-replayed" not in response.headers


async def test_an_erased_accounts_token_with_a_key_is_401_not_409(client):
    user = await register(client)
    erased = await client.request(
        "DELETE", "/v1/me", json={"password": PASSWORD}, headers=user["headers"]
    )
    assert erased.status_code == 204, erased.text

    response = await client.post(
        "/v1/applications", json=BODY, headers=keyed(user["headers"], "after-erase")
    )
    assert_problem(response, 401)
