import re

import pytest

from tests.helpers import assert_problem, register

CATALOGUE_PATHS = [
    "/v1/guidance/reasons",
    "/v1/guidance/categories",
    "/v1/guidance/reflection-prompts",
    "/v1/guidance/feedback-questions",
    "/v1/guidance/next-steps",
]


@pytest.fixture(autouse=True)
async def guidance_router_registered(client):
    """Skip until app/main.py includes the guidance router."""
    response = await client.get(CATALOGUE_PATHS[0])
    if (
        response.status_code == 404
        and response.json()["detail"] == "There is nothing at this path."
    ):
        pytest.skip("the guidance router is not registered yet")


@pytest.fixture
async def headers(client):
    return (await register(client))["headers"]


@pytest.mark.parametrize("path", CATALOGUE_PATHS)
async def test_each_catalogue_is_listed_with_cache_headers(client, headers, path):
    response = await client.get(path, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["items"]
    assert re.fullmatch(r'"[0-9a-f]{64}"', response.headers["etag"])
    assert response.headers["cache-control"] == "public, max-age=3600"


@pytest.mark.parametrize("path", CATALOGUE_PATHS)
async def test_a_current_etag_answers_not_modified(client, headers, path):
    etag = (await client.get(path, headers=headers)).headers["etag"]

    response = await client.get(path, headers={**headers, "If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


async def test_a_stale_etag_gets_the_full_list(client, headers):
    response = await client.get(CATALOGUE_PATHS[0], headers={**headers, "If-None-Match": '"stale"'})

    assert response.status_code == 200
    assert len(response.json()["items"]) == 10


async def test_reasons_carry_their_category_advice(client, headers):
    response = await client.get("/v1/guidance/reasons", headers=headers)

    reasons = {item["key"]: item for item in response.json()["items"]}
    assert reasons["chemistry"]["category"]["key"] == "in_person"
    assert reasons["chemistry"]["category"]["advice"]
    assert reasons["headcount_or_budget"]["category"]["fixable"] is False


async def test_feedback_questions_come_in_asking_order(client, headers):
    response = await client.get("/v1/guidance/feedback-questions", headers=headers)

    items = response.json()["items"]
    assert [item["key"] for item in items] == [
        "prepare_better",
        "chosen_candidate",
        "right_role",
        "better_roles",
        "who_to_talk_to",
    ]
    assert items[3]["applies_when"] == "right_role_no"


async def test_next_steps_cover_every_diagnosis(client, headers):
    response = await client.get("/v1/guidance/next-steps", headers=headers)

    diagnoses = {item["diagnosis"] for item in response.json()["items"]}
    assert diagnoses == {"in_person", "on_paper", "network", "fit", "circumstantial", "unsure"}


@pytest.mark.parametrize("path", CATALOGUE_PATHS)
async def test_guidance_refuses_an_invalid_token(client, path):
    response = await client.get(path, headers={"Authorization": "Bearer not-a-token"})

    assert_problem(response, 401)
