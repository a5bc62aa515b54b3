"""The guidance catalogue before sign-in (issue 18): readable with or without a token, cacheable
by any cache for an hour, with a strong ETag either way; a token that is sent must be valid."""

import re

import pytest

from tests.guidance.test_router import CATALOGUE_PATHS
from tests.helpers import assert_problem, register

PUBLIC_HOUR = "public, max-age=3600"
GUIDANCE_OPERATIONS = [
    "listReasons",
    "listReasonCategories",
    "listReflectionPrompts",
    "listFeedbackQuestions",
    "listNextSteps",
]


@pytest.mark.parametrize("path", CATALOGUE_PATHS)
async def test_an_app_reads_the_catalogue_before_sign_in(client, path):
    response = await client.get(path)

    assert response.status_code == 200, response.text
    assert response.json()["items"]
    assert re.fullmatch(r'"[0-9a-f]{64}"', response.headers["etag"])  # strong: no W/
    assert response.headers["cache-control"] == PUBLIC_HOUR
    assert "authorization" not in response.headers.get("vary", "").lower()


@pytest.mark.parametrize("path", CATALOGUE_PATHS)
async def test_signed_in_or_not_the_answer_is_the_same(client, path):
    user = await register(client)

    anonymous = await client.get(path)
    signed_in = await client.get(path, headers=user["headers"])

    assert signed_in.status_code == 200
    assert signed_in.json() == anonymous.json()
    assert signed_in.headers["etag"] == anonymous.headers["etag"]
    assert signed_in.headers["cache-control"] == PUBLIC_HOUR
    assert "authorization" not in signed_in.headers.get("vary", "").lower()


@pytest.mark.parametrize("path", CATALOGUE_PATHS)
async def test_a_current_etag_answers_not_modified_without_a_token(client, path):
    etag = (await client.get(path)).headers["etag"]

    response = await client.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == PUBLIC_HOUR


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Bearer ", "Basic ZGFuYTpzZWNyZXQ="],
    ids=["malformed", "empty", "not-bearer"],
)
async def test_a_token_that_is_sent_must_be_valid(client, authorization):
    response = await client.get(CATALOGUE_PATHS[0], headers={"Authorization": authorization})

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["cache-control"] == "no-store"


async def test_the_token_of_an_ended_session_is_refused(client):
    user = await register(client)
    ended = await client.post(
        "/v1/auth/logout",
        json={"refresh_token": user["tokens"]["refresh_token"]},
        headers=user["headers"],
    )
    assert ended.status_code == 204, ended.text

    response = await client.get(CATALOGUE_PATHS[0], headers=user["headers"])

    assert_problem(response, 401)


@pytest.mark.parametrize("operation_id", GUIDANCE_OPERATIONS)
async def test_the_schema_says_the_token_is_optional(app, operation_id):
    operations = [
        operation
        for item in app.openapi()["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and operation.get("operationId") == operation_id
    ]

    (operation,) = operations
    assert {} in operation["security"]  # Schemathesis' missing_auth/ignored_auth skip these
    assert {"OAuth2PasswordBearer": []} in operation["security"]
    assert "401" in operation["responses"]  # a bad token is still refused
