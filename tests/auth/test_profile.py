"""The caller's profile: read with ETags, partial updates with If-Match."""

from datetime import datetime

from tests.helpers import assert_problem, bad_fields, register


def timestamp(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


async def test_the_profile_comes_with_an_etag(client):
    user = await register(client, display_name="Ada")

    response = await client.get("/v1/me", headers=user["headers"])

    assert response.status_code == 200
    assert response.headers["etag"]
    assert response.json() == user["user"]


async def test_a_profile_the_client_already_has_is_not_modified(client):
    user = await register(client)
    etag = (await client.get("/v1/me", headers=user["headers"])).headers["etag"]

    response = await client.get("/v1/me", headers={**user["headers"], "If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


async def test_a_partial_update_changes_only_the_fields_sent(client):
    user = await register(client, display_name="Ada")
    before = await client.get("/v1/me", headers=user["headers"])

    response = await client.patch(
        "/v1/me",
        headers=user["headers"],
        json={"timezone": "Europe/Berlin", "weekly_goal": 5},
    )

    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["timezone"] == "Europe/Berlin"
    assert profile["weekly_goal"] == 5
    assert profile["display_name"] == "Ada"
    assert profile["email"] == user["user"]["email"]
    assert profile["version"] == before.json()["version"] + 1
    assert timestamp(profile["updated_at"]) > timestamp(before.json()["updated_at"])
    assert response.headers["etag"] != before.headers["etag"]
    again = await client.get("/v1/me", headers=user["headers"])
    assert again.json() == profile
    assert again.headers["etag"] == response.headers["etag"]


async def test_a_display_name_can_be_cleared_with_null(client):
    user = await register(client, display_name="Ada")

    response = await client.patch("/v1/me", headers=user["headers"], json={"display_name": None})

    assert response.status_code == 200, response.text
    assert response.json()["display_name"] is None


async def test_an_update_that_changes_nothing_keeps_the_version(client):
    user = await register(client, display_name="Ada")

    response = await client.patch("/v1/me", headers=user["headers"], json={"display_name": "Ada"})

    assert response.status_code == 200, response.text
    assert response.json()["version"] == user["user"]["version"]


async def test_an_update_based_on_a_stale_etag_is_refused(client):
    user = await register(client)
    stale = (await client.get("/v1/me", headers=user["headers"])).headers["etag"]
    await client.patch("/v1/me", headers=user["headers"], json={"weekly_goal": 3})

    response = await client.patch(
        "/v1/me", headers={**user["headers"], "If-Match": stale}, json={"weekly_goal": 4}
    )

    assert_problem(response, 412)
    current = await client.get("/v1/me", headers=user["headers"])
    assert current.json()["weekly_goal"] == 3
    assert response.headers["etag"] == current.headers["etag"]


async def test_an_update_based_on_the_current_etag_is_applied(client):
    user = await register(client)
    etag = (await client.get("/v1/me", headers=user["headers"])).headers["etag"]

    response = await client.patch(
        "/v1/me", headers={**user["headers"], "If-Match": etag}, json={"weekly_goal": 4}
    )

    assert response.status_code == 200, response.text
    assert response.json()["weekly_goal"] == 4


async def test_an_unknown_time_zone_is_a_validation_error(client):
    user = await register(client)

    response = await client.patch(
        "/v1/me", headers=user["headers"], json={"timezone": "Mars/Olympus"}
    )

    assert bad_fields(response) == {"body.timezone"}


async def test_email_and_time_zone_cannot_be_null(client):
    user = await register(client)

    response = await client.patch(
        "/v1/me", headers=user["headers"], json={"email": None, "timezone": None}
    )

    assert bad_fields(response) == {"body.email", "body.timezone"}


async def test_a_weekly_goal_out_of_range_is_a_validation_error(client):
    user = await register(client)

    response = await client.patch("/v1/me", headers=user["headers"], json={"weekly_goal": 101})

    assert bad_fields(response) == {"body.weekly_goal"}


async def test_an_update_with_unknown_fields_is_refused(client):
    user = await register(client)

    response = await client.patch("/v1/me", headers=user["headers"], json={"version": 7})

    assert bad_fields(response) == {"body.version"}


async def test_patch_no_longer_changes_the_email_and_says_where_it_changes(client):
    """Issue 17 #2: a stolen access token could take the account over by changing its email."""
    user = await register(client)

    response = await client.patch(
        "/v1/me", headers=user["headers"], json={"email": "attacker@example.com"}
    )

    problem = assert_problem(response, 422)
    assert [error["field"] for error in problem["errors"]] == ["body.email"]
    assert "POST /v1/me/email" in problem["errors"][0]["message"]
    assert (await client.get("/v1/me", headers=user["headers"])).json() == user["user"]
