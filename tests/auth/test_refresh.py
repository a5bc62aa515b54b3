"""The refresh-token lifecycle: rotation, the retry grace window, reuse detection, logout and
password change."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import close_connections, create_app
from tests.conftest import make_settings
from tests.helpers import PASSWORD, assert_problem, bearer, register

NEW_PASSWORD = "a brand new passphrase"


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/v1/auth/refresh", json={"refresh_token": token})


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


@pytest.fixture
async def strict_client(app, database_url, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with no grace window: any replay of a rotated token is reuse.

    It shares the test database (and its cleaning) through the `app` fixture."""
    strict_app = create_app(make_settings(database_url, tmp_path, refresh_reuse_grace_seconds=0))
    transport = httpx.ASGITransport(app=strict_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await close_connections(strict_app)


async def test_refresh_returns_a_new_pair_that_is_not_cached(client):
    user = await register(client)
    old = user["tokens"]

    response = await refresh(client, old["refresh_token"])

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    new = response.json()
    assert new["token_type"] == "bearer"
    assert new["expires_in"] == 900
    assert new["refresh_token"] != old["refresh_token"]
    assert new["access_token"] != old["access_token"]
    me = await client.get("/v1/me", headers=bearer(new["access_token"]))
    assert me.status_code == 200


async def test_a_retry_within_grace_gets_a_pair_of_its_own_and_revokes_nothing(client):
    user = await register(client)
    first = user["tokens"]["refresh_token"]
    lost = (await refresh(client, first)).json()["refresh_token"]

    retry = await refresh(client, first)

    assert retry.status_code == 200, retry.text
    replacement = retry.json()["refresh_token"]
    assert replacement not in {first, lost}
    assert (await refresh(client, replacement)).status_code == 200
    assert (await refresh(client, lost)).status_code == 200  # unseen, but never revoked


async def test_twenty_parallel_refreshes_of_one_token_each_get_a_working_pair(client):
    """Issue 17 #6: ten parallel refreshes gave five 401 `refresh-token-reused`, and none of
    the new tokens worked afterwards: a phone waking several requests at once signed out."""
    user = await register(client)
    token = user["tokens"]["refresh_token"]

    answers = await asyncio.gather(*(refresh(client, token) for _ in range(20)))

    assert [answer.status_code for answer in answers] == [200] * 20, [
        answer.text for answer in answers if answer.status_code != 200
    ]
    pairs = [answer.json() for answer in answers]
    assert len({pair["refresh_token"] for pair in pairs}) == 20
    for pair in pairs:
        assert (await client.get("/v1/me", headers=bearer(pair["access_token"]))).is_success
    # Every new refresh token works, and the session is one: the whole family stays alive.
    again = await asyncio.gather(*(refresh(client, pair["refresh_token"]) for pair in pairs))
    assert [answer.status_code for answer in again] == [200] * 20
    sessions = await client.get("/v1/me/sessions", headers=bearer(again[0].json()["access_token"]))
    assert len(sessions.json()["items"]) == 1


async def test_a_rotated_token_whose_successor_was_used_is_refused_as_reuse(client):
    user = await register(client)
    first = user["tokens"]["refresh_token"]
    second = (await refresh(client, first)).json()["refresh_token"]
    await refresh(client, second)

    response = await refresh(client, first)

    assert assert_problem(response, 401)["type"].endswith("/refresh-token-reused")


async def test_replaying_a_token_whose_successor_was_used_revokes_the_family(client):
    user = await register(client)
    first = user["tokens"]["refresh_token"]
    second = (await refresh(client, first)).json()["refresh_token"]
    newest = (await refresh(client, second)).json()["refresh_token"]
    await refresh(client, first)

    response = await refresh(client, newest)

    assert_problem(response, 401)


async def test_the_old_refresh_token_stops_working_after_rotation(strict_client):
    user = await register(strict_client)
    old = user["tokens"]["refresh_token"]
    await refresh(strict_client, old)

    response = await refresh(strict_client, old)

    assert assert_problem(response, 401)["type"].endswith("/refresh-token-reused")


async def test_reuse_outside_grace_revokes_the_whole_family(strict_client):
    user = await register(strict_client)
    stolen = user["tokens"]["refresh_token"]
    newest = (await refresh(strict_client, stolen)).json()["refresh_token"]
    await refresh(strict_client, stolen)

    response = await refresh(strict_client, newest)

    assert_problem(response, 401)


async def test_reuse_revokes_only_that_sign_in(strict_client):
    user = await register(strict_client)
    other_session = (await sign_in(strict_client, user["email"], PASSWORD)).json()
    stolen = user["tokens"]["refresh_token"]
    await refresh(strict_client, stolen)

    await refresh(strict_client, stolen)

    assert (await refresh(strict_client, other_session["refresh_token"])).status_code == 200


async def test_an_unknown_refresh_token_is_refused(client):
    response = await refresh(client, "not-a-token-we-issued")

    assert assert_problem(response, 401)["type"].endswith("/invalid-refresh-token")


async def test_logout_revokes_the_session(client):
    user = await register(client)
    token = user["tokens"]["refresh_token"]

    response = await client.post("/v1/auth/logout", json={"refresh_token": token})

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await refresh(client, token), 401)


async def test_logout_with_an_unknown_token_is_still_no_content(client):
    response = await client.post("/v1/auth/logout", json={"refresh_token": "never-issued"})

    assert response.status_code == 204


async def test_logout_leaves_other_sessions_signed_in(client):
    user = await register(client)
    other_session = (await sign_in(client, user["email"], PASSWORD)).json()

    await client.post("/v1/auth/logout", json={"refresh_token": user["tokens"]["refresh_token"]})

    assert (await refresh(client, other_session["refresh_token"])).status_code == 200


async def test_changing_the_password_signs_out_every_other_session(client):
    user = await register(client)
    current = user["tokens"]
    other_session = (await sign_in(client, user["email"], PASSWORD)).json()

    response = await client.post(
        "/v1/me/password",
        headers=bearer(current["access_token"]),
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 204, response.text
    assert_problem(await refresh(client, other_session["refresh_token"]), 401)
    assert (await refresh(client, current["refresh_token"])).status_code == 200
    assert_problem(await sign_in(client, user["email"], PASSWORD), 401)
    assert (await sign_in(client, user["email"], NEW_PASSWORD)).status_code == 200


async def test_the_session_kept_is_the_one_after_rotation_too(client):
    user = await register(client)
    rotated = (await refresh(client, user["tokens"]["refresh_token"])).json()
    other_session = (await sign_in(client, user["email"], PASSWORD)).json()

    response = await client.post(
        "/v1/me/password",
        headers=bearer(rotated["access_token"]),
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 204, response.text
    assert (await refresh(client, rotated["refresh_token"])).status_code == 200
    assert_problem(await refresh(client, other_session["refresh_token"]), 401)


async def test_changing_the_password_needs_the_current_one(client):
    user = await register(client)

    response = await client.post(
        "/v1/me/password",
        headers=user["headers"],
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
    )

    assert assert_problem(response, 403)["type"].endswith("/wrong-password")
    assert (await sign_in(client, user["email"], PASSWORD)).status_code == 200


async def test_a_new_password_must_be_at_least_ten_characters(client):
    user = await register(client)

    response = await client.post(
        "/v1/me/password",
        headers=user["headers"],
        json={"current_password": PASSWORD, "new_password": "too-short"},
    )

    assert_problem(response, 422)
    assert "too-short" not in response.text
