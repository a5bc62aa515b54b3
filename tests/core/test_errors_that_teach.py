"""Issue 18 #3: a mobile developer reads a problem and knows what to send instead."""

import json
import uuid

import pytest

from tests.contacts.factories import create_contact
from tests.helpers import PASSWORD, assert_problem, register
from tests.resources.factories import create_application, create_feedback, create_outcome

APPLICATION = {"company": "Initech", "role_title": "Platform Engineer"}


# --- Content-Type -----------------------------------------------------------------------------


async def test_a_json_body_without_a_content_type_is_415_naming_json(client):
    user = await register(client)

    response = await client.post(
        "/v1/applications",
        content=json.dumps(APPLICATION).encode(),
        headers={**user["headers"], "Content-Type": ""},
    )

    problem = assert_problem(response, 415)
    assert problem["type"].endswith("/unsupported-media-type")
    assert "application/json" in problem["detail"]
    assert "dictionary" not in response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
async def test_a_json_body_with_another_content_type_is_415(client, content_type):
    user = await register(client)

    response = await client.patch(
        "/v1/me",
        content=json.dumps({"display_name": "Ada"}).encode(),
        headers={**user["headers"], "Content-Type": content_type},
    )

    problem = assert_problem(response, 415)
    assert "application/json" in problem["detail"]
    assert content_type.split(";")[0] in problem["detail"]


async def test_json_with_a_charset_is_still_json(client):
    user = await register(client)

    response = await client.patch(
        "/v1/me",
        content=json.dumps({"display_name": "Ada"}).encode(),
        headers={**user["headers"], "Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 200, response.text


async def test_json_sent_to_the_token_form_is_415_naming_the_form(client):
    user = await register(client)

    response = await client.post(
        "/v1/auth/token", json={"username": user["email"], "password": PASSWORD}
    )

    problem = assert_problem(response, 415)
    assert "application/x-www-form-urlencoded" in problem["detail"]
    assert "username" in problem["detail"]
    assert PASSWORD not in response.text


async def test_a_multipart_form_without_its_boundary_is_415_not_400(client):
    """Schemathesis's malformed Content-Type probe: an undocumented 400 before."""
    response = await client.post(
        "/v1/auth/token",
        content=b"username=a&password=b",
        headers={"Content-Type": "multipart/form-data"},
    )

    problem = assert_problem(response, 415)
    assert "application/x-www-form-urlencoded" in problem["detail"]


async def test_the_token_form_still_signs_in(client):
    user = await register(client)

    response = await client.post(
        "/v1/auth/token", data={"username": user["email"], "password": PASSWORD}
    )

    assert response.status_code == 200, response.text


async def test_an_empty_json_body_is_still_a_422_naming_body(client):
    user = await register(client)

    response = await client.post(
        "/v1/applications", headers={**user["headers"], "Content-Type": "application/json"}
    )

    problem = assert_problem(response, 422)
    assert [error["field"] for error in problem["errors"]] == ["body"]
    assert "JSON" in problem["errors"][0]["message"]


# --- malformed JSON ---------------------------------------------------------------------------


async def test_malformed_json_gives_line_and_column_and_names_body(client):
    user = await register(client)
    broken = b'{\n  "company": "Initech",\n  "role_title": "Engineer"\n  "notes": "hunter2"\n}'

    response = await client.post(
        "/v1/applications",
        content=broken,
        headers={**user["headers"], "Content-Type": "application/json"},
    )

    problem = assert_problem(response, 422)
    assert "line 4, column 3" in problem["detail"]
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("body", "json_invalid")]
    assert "line 4, column 3" in problem["errors"][0]["message"]
    assert "hunter2" not in response.text


async def test_a_body_that_is_not_utf8_names_body(client):
    user = await register(client)

    response = await client.post(
        "/v1/applications",
        content=b'{"company": "\xff\xfe"}',
        headers={**user["headers"], "Content-Type": "application/json"},
    )

    problem = assert_problem(response, 422)
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("body", "json_invalid")]
    assert "UTF-8" in problem["detail"]


# --- references to records that do not exist or are not the caller's -------------------------


async def test_an_interview_of_an_unknown_application_is_422_naming_the_field(client):
    user = await register(client)

    response = await client.post(
        "/v1/interviews",
        json={"application_id": str(uuid.uuid4()), "kind": "technical"},
        headers=user["headers"],
    )

    problem = assert_problem(response, 422)
    assert problem["type"].endswith("/reference-not-found")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("body.application_id", "reference_not_found")
    ]
    assert "`application_id`" in problem["detail"]


async def test_an_outcome_of_another_users_application_is_422_revealing_nothing(client):
    owner, intruder = await register(client), await register(client)
    theirs = await create_application(client, owner["headers"], company="Secret Corp")

    response = await client.post(
        "/v1/outcomes",
        json={"application_id": theirs["id"], "kind": "rejection", "received_on": "2026-11-20"},
        headers=intruder["headers"],
    )

    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["body.application_id"]
    assert "Secret Corp" not in response.text


async def test_a_conversation_with_a_deleted_contact_names_contact_id(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    contact = await create_contact(client, user["headers"])
    await client.delete(f"/v1/contacts/{contact['id']}", headers=user["headers"])

    response = await client.post(
        "/v1/feedback-conversations",
        json={"application_id": application["id"], "contact_id": contact["id"]},
        headers=user["headers"],
    )

    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["body.contact_id"]


async def test_a_reflection_on_an_unknown_outcome_names_outcome_id(client):
    user = await register(client)

    response = await client.post(
        "/v1/reflections",
        json={"diagnosis": "unsure", "outcome_id": str(uuid.uuid4())},
        headers=user["headers"],
    )

    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["body.outcome_id"]


async def test_a_contact_linked_to_an_unknown_application_names_its_position(client):
    user = await register(client)
    application = await create_application(client, user["headers"])

    response = await client.post(
        "/v1/contacts",
        json={"name": "Dana", "application_ids": [application["id"], str(uuid.uuid4())]},
        headers=user["headers"],
    )

    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["body.application_ids.1"]


async def test_a_patch_naming_an_unknown_outcome_names_the_field(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    conversation = await create_feedback(client, user["headers"], application["id"])

    response = await client.patch(
        f"/v1/feedback-conversations/{conversation['id']}",
        json={"outcome_id": str(uuid.uuid4())},
        headers=user["headers"],
    )

    problem = assert_problem(response, 422)
    assert problem["type"].endswith("/reference-not-found")
    assert [e["field"] for e in problem["errors"]] == ["body.outcome_id"]


# --- updated_since ----------------------------------------------------------------------------


async def test_a_timestamp_whose_plus_arrived_as_a_space_is_accepted(client):
    user = await register(client)
    await create_application(client, user["headers"])

    encoded = await client.get(
        "/v1/applications?updated_since=2026-01-01T00:00:00%2B00:00", headers=user["headers"]
    )
    unencoded = await client.get(
        "/v1/applications?updated_since=2026-01-01T00:00:00+00:00", headers=user["headers"]
    )

    assert encoded.status_code == 200, encoded.text
    assert unencoded.status_code == 200, unencoded.text
    assert unencoded.json()["items"] == encoded.json()["items"]
    assert len(unencoded.json()["items"]) == 1


async def test_an_unreadable_updated_since_names_rfc_3339_and_url_encoding(client):
    user = await register(client)

    response = await client.get(
        "/v1/applications", params={"updated_since": "yesterday"}, headers=user["headers"]
    )

    problem = assert_problem(response, 422)
    [error] = problem["errors"]
    assert error["field"] == "query.updated_since"
    assert "RFC 3339" in error["message"]
    assert "%2B" in error["message"]
    assert "sync_token" in error["message"]


# --- transitions ------------------------------------------------------------------------------


async def test_a_finished_conversation_says_so_in_a_sentence(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    conversation = await create_feedback(
        client, user["headers"], application["id"], status="completed"
    )

    response = await client.patch(
        f"/v1/feedback-conversations/{conversation['id']}",
        json={"status": "requested"},
        headers=user["headers"],
    )

    problem = assert_problem(response, 422)
    assert problem["allowed"] == []
    assert "nothing:" not in problem["detail"]
    assert "completed" in problem["detail"]
    assert "new conversation" in problem["detail"]


async def test_a_backward_move_lists_what_is_allowed(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    outcome = await create_outcome(client, user["headers"], application["id"])
    conversation = await create_feedback(
        client, user["headers"], application["id"], status="scheduled", outcome_id=outcome["id"]
    )

    response = await client.patch(
        f"/v1/feedback-conversations/{conversation['id']}",
        json={"status": "planned"},
        headers=user["headers"],
    )

    problem = assert_problem(response, 422)
    assert "`completed`" in problem["detail"] and "`declined`" in problem["detail"]


# --- the OpenAPI document says all this -------------------------------------------------------


async def test_every_operation_with_a_body_documents_415_and_creates_document_no_404(client):
    document = (await client.get("/openapi.json")).json()

    with_body = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    assert with_body
    for path, method, operation in with_body:
        assert "415" in operation["responses"], (method, path)
    for path in ("/v1/interviews", "/v1/outcomes", "/v1/feedback-conversations"):
        responses = document["paths"][path]["post"]["responses"]
        assert "422" in responses and "404" not in responses, path
    token = document["paths"]["/v1/auth/token"]["post"]["responses"]["415"]
    assert "application/x-www-form-urlencoded" in token["description"]
