"""Request input is taken as the OpenAPI document describes it: JSON types are not coerced,
U+0000 is refused (PostgreSQL cannot store it), and what the schema states is what is checked."""

import uuid

import pytest

from tests.helpers import PASSWORD, assert_problem, register
from tests.resources.factories import create_application, create_feedback


def error_codes(response) -> dict[str, str]:
    return {error["field"]: error["code"] for error in assert_problem(response, 422)["errors"]}


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        pytest.param({"interest": "5"}, "body.interest", "int_type", id="string-for-integer"),
        pytest.param({"interest": True}, "body.interest", "int_type", id="bool-for-integer"),
        pytest.param({"salary_min": "1000"}, "body.salary_min", "int_type", id="string-money"),
        pytest.param({"applied_on": 0}, "body.applied_on", "date_type", id="number-for-date"),
        pytest.param(
            {"applied_on": "2026-01-01T00:00:00"}, "body.applied_on", "date_type", id="datetime"
        ),
        pytest.param({"applied_on": "20260101"}, "body.applied_on", "date_type", id="basic-date"),
        pytest.param({"id": uuid.uuid4().hex}, "body.id", "uuid_type", id="uuid-without-hyphens"),
        pytest.param({"company": "Ac\x00me"}, "body.company", "nul_character", id="nul"),
        pytest.param({"tags": ["ok", "b\x00d"]}, "body.tags.1", "nul_character", id="nul-in-list"),
    ],
)
async def test_values_of_another_json_type_are_refused(client, fields, field, code):
    user = await register(client)
    body = {"company": "Acme", "role_title": "Engineer", **fields}

    response = await client.post("/v1/applications", json=body, headers=user["headers"])

    assert error_codes(response)[field] == code


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        pytest.param({"stay_in_touch": 1}, "body.stay_in_touch", "bool_type", id="int-for-bool"),
        pytest.param(
            {"stay_in_touch": "true"}, "body.stay_in_touch", "bool_type", id="string-for-bool"
        ),
        pytest.param({"scheduled_at": 0}, "body.scheduled_at", "datetime_type", id="epoch"),
        pytest.param(
            {"scheduled_at": "2026-01-01 10:00:00Z"},
            "body.scheduled_at",
            "datetime_type",
            id="space-separator",
        ),
        pytest.param(
            {"answers": [{"question_key": "prepare_better", "answer": "x\x00"}]},
            "body.answers.0.answer",
            "nul_character",
            id="nul-nested",
        ),
    ],
)
async def test_nested_and_temporal_values_keep_their_json_types(client, fields, field, code):
    user = await register(client)
    application = await create_application(client, user["headers"])
    body = {
        "application_id": application["id"],
        "contact_name": "Dana",
        "channel": "email",
        "status": "planned",
        **fields,
    }

    response = await client.post("/v1/feedback-conversations", json=body, headers=user["headers"])

    assert error_codes(response)[field] == code


async def test_json_values_of_the_documented_type_are_accepted(client):
    user = await register(client)
    application = await create_application(client, user["headers"], interest=4.0, salary_min=1)

    feedback = await create_feedback(
        client,
        user["headers"],
        application_id=application["id"],
        scheduled_at="2026-01-01T10:00:00.5+02:00",
        stay_in_touch=True,
    )

    assert application["interest"] == 4
    assert feedback["scheduled_at"] == "2026-01-01T08:00:00.500000Z"


async def test_a_body_that_is_not_utf8_is_a_validation_error(client):
    user = await register(client)

    response = await client.post(
        "/v1/applications",
        content=b"\xff\xfe{",
        headers={**user["headers"], "Content-Type": "application/json"},
    )

    assert error_codes(response) == {"body": "json_invalid"}


async def test_nul_in_a_password_is_refused_not_stored(client):
    user = await register(client)

    response = await client.post(
        "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "new password\x00 123"},
        headers=user["headers"],
    )

    assert error_codes(response)["body.new_password"] == "nul_character"


@pytest.mark.parametrize("param", ["q", "tag"])
async def test_nul_in_a_list_filter_is_refused(client, param):
    user = await register(client)

    response = await client.get(f"/v1/applications?{param}=a%00b", headers=user["headers"])

    assert error_codes(response)[f"query.{param}"] == "nul_character"


async def test_nul_in_a_sign_in_form_is_bad_credentials(client):
    await register(client, email="dana@example.com")

    response = await client.post(
        "/v1/auth/token", data={"username": "dana@example.com\x00", "password": PASSWORD}
    )

    assert_problem(response, 401)


async def test_tags_are_stored_trimmed_once_each(client):
    user = await register(client)

    application = await create_application(
        client, user["headers"], tags=[" remote", "remote", "  ", "berlin "]
    )

    assert application["tags"] == ["remote", "berlin"]


async def test_the_same_tag_twice_is_refused(client):
    user = await register(client)

    response = await client.post(
        "/v1/applications",
        json={"company": "Acme", "role_title": "Engineer", "tags": ["a", "a"]},
        headers=user["headers"],
    )

    assert "body.tags" in error_codes(response)


async def test_salary_range_names_its_rule_on_create_and_update(client):
    user = await register(client)
    body = {"company": "Acme", "role_title": "Engineer", "salary_min": 10, "salary_max": 5}

    created = await client.post("/v1/applications", json=body, headers=user["headers"])
    application = await create_application(client, user["headers"], salary_min=10)
    updated = await client.patch(
        f"/v1/applications/{application['id']}", json={"salary_max": 5}, headers=user["headers"]
    )

    assert "salary_range" in error_codes(created).values()
    assert error_codes(updated) == {"body.salary_max": "salary_range"}
