"""Sessions end for real (issue 17, finding 1): after sign-out, a password change (for the other
sessions), a reset, reuse detection, erasure or ending a session from the list, that session's
access tokens are refused at once, not 15 minutes later. And the user can see their sessions."""

import httpx
import pytest

from app.sessions.service import ended_since
from tests.auth.test_password_reset import CODE
from tests.helpers import PASSWORD, RESET_SUBJECT, assert_problem, bearer, client_of, register
from tests.helpers import outbox as outbox_of

NEW_PASSWORD = "a brand new passphrase"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = "Rebound/2.4 (iPhone; iOS 18.1) okhttp/4.12"


async def sign_in(client: httpx.AsyncClient, email: str, user_agent: str = "test") -> dict:
    response = await client.post(
        "/v1/auth/token",
        data={"username": email, "password": PASSWORD},
        headers={"User-Agent": user_agent},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def works(client: httpx.AsyncClient, access_token: str) -> bool:
    """Whether the token still reads and writes."""
    headers = bearer(access_token)
    read = await client.get("/v1/me", headers=headers)
    write = await client.post(
        "/v1/applications", json={"company": "Acme", "role_title": "Engineer"}, headers=headers
    )
    assert (read.status_code == 200) == (write.status_code == 201), (read.text, write.text)
    if read.status_code != 200:
        assert_problem(read, 401)
        assert_problem(write, 401)
    return read.status_code == 200


async def test_after_logout_the_sessions_access_token_is_refused(client):
    user = await register(client)
    other = await sign_in(client, user["email"])

    response = await client.post(
        "/v1/auth/logout", json={"refresh_token": user["tokens"]["refresh_token"]}
    )

    assert response.status_code == 204
    assert not await works(client, user["tokens"]["access_token"])
    assert await works(client, other["access_token"])


async def test_a_password_change_ends_the_other_sessions_access_tokens(client):
    user = await register(client)
    other = await sign_in(client, user["email"])

    response = await client.post(
        "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=user["headers"],
    )

    assert response.status_code == 204
    assert not await works(client, other["access_token"])
    assert await works(client, user["tokens"]["access_token"])


async def test_a_password_reset_ends_every_access_token(app_with):
    outboxed = app_with(smtp_host=None)
    async with client_of(outboxed) as client:
        user = await register(client)
        await client.post("/v1/auth/password-reset", json={"email": user["email"]})
        (mail,) = outbox_of(outboxed, RESET_SUBJECT)
        code = CODE.search(mail.read_text())[1]

        response = await client.post(
            "/v1/auth/password-reset/confirm", json={"token": code, "new_password": NEW_PASSWORD}
        )

        assert response.status_code == 204, response.text
        assert not await works(client, user["tokens"]["access_token"])


async def test_reuse_detection_ends_the_access_tokens_of_the_family(app_with):
    strict = app_with(refresh_reuse_grace_seconds=0)
    async with client_of(strict) as client:
        user = await register(client)
        first = user["tokens"]["refresh_token"]
        rotated = (await client.post("/v1/auth/refresh", json={"refresh_token": first})).json()
        assert await works(client, rotated["access_token"])

        replay = await client.post("/v1/auth/refresh", json={"refresh_token": first})

        assert assert_problem(replay, 401)["type"].endswith("/refresh-token-reused")
        assert not await works(client, rotated["access_token"])
        assert not await works(client, user["tokens"]["access_token"])


async def test_erasure_ends_every_access_token_of_the_account(client):
    user = await register(client)
    other = await sign_in(client, user["email"])

    response = await client.request(
        "DELETE", "/v1/me", json={"password": PASSWORD}, headers=user["headers"]
    )

    assert response.status_code == 204
    for token in (user["tokens"]["access_token"], other["access_token"]):
        assert_problem(await client.get("/v1/insights", headers=bearer(token)), 401)


async def test_the_user_sees_their_sessions_with_devices_and_the_current_one_marked(client):
    user = await register(client)
    laptop = await sign_in(client, user["email"], FIREFOX)
    phone = await sign_in(client, user["email"], IPHONE)

    response = await client.get("/v1/me/sessions", headers=bearer(phone["access_token"]))

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    items = response.json()["items"]
    assert len(items) == 3
    assert [item["current"] for item in items] == [True, False, False]  # most recent first
    assert items[0]["device"] == "Rebound on iPhone"
    assert items[1]["device"] == "Firefox on Linux"
    assert set(items[0]) == {"id", "device", "created_at", "last_used_at", "current"}
    assert laptop["access_token"] != phone["access_token"]


async def test_ending_a_session_from_the_list_signs_that_device_out_at_once(client):
    user = await register(client)
    laptop = await sign_in(client, user["email"], FIREFOX)
    listed = (await client.get("/v1/me/sessions", headers=user["headers"])).json()["items"]
    (laptop_session,) = [item for item in listed if item["device"] == "Firefox on Linux"]

    response = await client.delete(
        f"/v1/me/sessions/{laptop_session['id']}", headers=user["headers"]
    )

    assert response.status_code == 204
    assert not await works(client, laptop["access_token"])
    refused = await client.post("/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    assert_problem(refused, 401)
    assert await works(client, user["tokens"]["access_token"])
    remaining = (await client.get("/v1/me/sessions", headers=user["headers"])).json()["items"]
    assert [item["id"] for item in remaining] != [laptop_session["id"]]
    assert laptop_session["id"] not in {item["id"] for item in remaining}
    again = await client.delete(f"/v1/me/sessions/{laptop_session['id']}", headers=user["headers"])
    assert_problem(again, 404)


async def test_another_accounts_session_cannot_be_ended_or_seen(client):
    alice = await register(client)
    bob = await register(client)
    alices = (await client.get("/v1/me/sessions", headers=alice["headers"])).json()["items"]

    response = await client.delete(f"/v1/me/sessions/{alices[0]['id']}", headers=bob["headers"])

    assert_problem(response, 404)
    assert await works(client, alice["tokens"]["access_token"])
    bobs = (await client.get("/v1/me/sessions", headers=bob["headers"])).json()["items"]
    assert alices[0]["id"] not in {item["id"] for item in bobs}


@pytest.mark.parametrize("session_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
async def test_a_malformed_or_unknown_session_id(client, session_id):
    user = await register(client)

    response = await client.delete(f"/v1/me/sessions/{session_id}", headers=user["headers"])

    assert_problem(response, 422 if session_id == "not-a-uuid" else 404)


async def test_ending_the_current_session_signs_this_device_out(client):
    user = await register(client)
    (mine,) = (await client.get("/v1/me/sessions", headers=user["headers"])).json()["items"]

    response = await client.delete(f"/v1/me/sessions/{mine['id']}", headers=user["headers"])

    assert response.status_code == 204
    assert not await works(client, user["tokens"]["access_token"])


async def test_a_restarted_process_still_refuses_an_ended_session(app, app_with, client):
    """The ended sessions are read from the database at start: a restart forgets nothing."""
    user = await register(client)
    await client.post("/v1/auth/logout", json={"refresh_token": user["tokens"]["refresh_token"]})

    restarted = app_with()
    await restarted.state.revocations.start(ended_since(restarted.state.database))
    async with client_of(restarted) as fresh:
        assert not await works(fresh, user["tokens"]["access_token"])
