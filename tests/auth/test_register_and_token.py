"""Signing up and signing in with the OAuth2 password form."""

import uuid

import httpx
import pytest

from tests.helpers import PASSWORD, assert_problem, bad_fields, bearer, register


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:8]}@example.com"


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


async def test_register_returns_the_user_and_a_working_token_pair(client):
    response = await client.post(
        "/v1/auth/register",
        json={"email": "Ada@Example.com", "password": PASSWORD, "display_name": "Ada"},
    )

    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["user"] == {
        "id": body["user"]["id"],
        "email": "ada@example.com",
        "display_name": "Ada",
        "timezone": "UTC",
        "email_verified": False,
        "weekly_goal": None,
        "created_at": body["user"]["created_at"],
        "updated_at": body["user"]["updated_at"],
        "version": 1,
    }
    tokens = body["tokens"]
    assert tokens.keys() == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    me = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert me.json()["id"] == body["user"]["id"]


async def test_register_with_an_email_taken_in_another_case_is_a_conflict(client):
    await register(client, "ada@example.com")

    response = await client.post(
        "/v1/auth/register", json={"email": "ADA@example.COM", "password": PASSWORD}
    )

    assert assert_problem(response, 409)["type"].endswith("/email-taken")


async def test_sign_in_ignores_the_case_of_the_email(client):
    await register(client, "grace@example.com")

    response = await sign_in(client, "Grace@EXAMPLE.com", PASSWORD)

    assert response.status_code == 200, response.text


async def test_register_refuses_a_password_of_nine_characters(client):
    response = await client.post(
        "/v1/auth/register", json={"email": new_email(), "password": "x" * 9}
    )

    assert bad_fields(response) == {"body.password"}


async def test_register_refuses_a_password_of_1025_characters(client):
    response = await client.post(
        "/v1/auth/register", json={"email": new_email(), "password": "x" * 1025}
    )

    assert bad_fields(response) == {"body.password"}


async def test_a_password_of_1024_characters_registers_and_signs_in(client):
    email, password = new_email(), "p" * 1023 + "!"
    registered = await client.post("/v1/auth/register", json={"email": email, "password": password})
    assert registered.status_code == 201, registered.text

    response = await sign_in(client, email, password)

    assert response.status_code == 200, response.text


async def test_a_password_with_surrounding_spaces_is_kept_exactly_as_typed(client):
    email, password = new_email(), "  spaced out password  "
    registered = await client.post("/v1/auth/register", json={"email": email, "password": password})
    assert registered.status_code == 201, registered.text

    exact = await sign_in(client, email, password)
    stripped = await sign_in(client, email, password.strip())

    assert exact.status_code == 200, exact.text
    assert_problem(stripped, 401)


async def test_register_rejects_unknown_fields(client):
    response = await client.post(
        "/v1/auth/register",
        json={"email": new_email(), "password": PASSWORD, "is_admin": True},
    )

    assert bad_fields(response) == {"body.is_admin"}


@pytest.mark.parametrize(
    "password",
    ["short-pw!", "long-pw-" + "s" * 1017, "a perfectly fine password"],
    ids=["too-short", "too-long", "valid-but-email-bad"],
)
async def test_a_validation_error_never_echoes_the_password(client, password):
    response = await client.post(
        "/v1/auth/register", json={"email": "not-an-email", "password": password}
    )

    assert_problem(response, 422)
    assert password not in response.text


async def test_sign_in_returns_a_bearer_token_pair_that_is_not_cached(client):
    user = await register(client)

    response = await sign_in(client, user["email"], PASSWORD)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body.keys() == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    me = await client.get("/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200


async def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    user = await register(client)

    wrong_password = await sign_in(client, user["email"], "not the password")
    unknown_email = await sign_in(client, new_email(), PASSWORD)

    assert_problem(wrong_password, 401)
    assert_problem(unknown_email, 401)
    assert wrong_password.json() == unknown_email.json()


async def test_sign_in_without_a_password_is_a_validation_error(client):
    response = await client.post("/v1/auth/token", data={"username": "ada@example.com"})

    assert bad_fields(response) == {"body.password"}
