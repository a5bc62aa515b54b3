"""Feedback conversations with a contact: the link, the details it fills in, the request
draft, and what deleting the contact leaves behind."""

import uuid

import pytest

from tests.contacts.factories import create_contact
from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories import create_application, create_feedback

CONVERSATIONS = "/v1/feedback-conversations"


@pytest.fixture
async def user(client):
    return await register(client, display_name="Ada Lovelace")


@pytest.fixture
async def application(client, user):
    return await create_application(
        client, user["headers"], company="Initech", role_title="Platform Engineer"
    )


@pytest.fixture
async def contact(client, user, application):
    return await create_contact(
        client,
        user["headers"],
        name="Bob Porter",
        role="Recruiter",
        email="bob@initech.example",
        relationship="recruiter",
        application_ids=[application["id"]],
    )


async def post_conversation(client, user, application, **fields):
    body = {"application_id": application["id"], **fields}
    return await client.post(CONVERSATIONS, json=body, headers=user["headers"])


async def draft(client, user, conversation, kind="email"):
    return await client.get(
        f"{CONVERSATIONS}/{conversation['id']}/request-draft",
        params={"format": kind},
        headers=user["headers"],
    )


# --- linking -------------------------------------------------------------------------------


async def test_a_conversation_with_a_contact_takes_its_name_role_and_email(
    client, user, application, contact
):
    response = await post_conversation(client, user, application, contact_id=contact["id"])

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["contact_id"] == contact["id"]
    assert body["contact_name"] == "Bob Porter"
    assert body["contact_role"] == "Recruiter"
    assert body["contact_email"] == "bob@initech.example"
    got = await client.get(f"{CONVERSATIONS}/{body['id']}", headers=user["headers"])
    assert got.json() == body
    listed = await client.get(CONVERSATIONS, headers=user["headers"])
    assert listed.json()["items"] == [body]


async def test_details_sent_with_the_contact_win(client, user, application, contact):
    response = await post_conversation(
        client, user, application, contact_id=contact["id"], contact_name="Bobby", contact_role=""
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["contact_name"], body["contact_role"]) == ("Bobby", "")
    assert body["contact_email"] == "bob@initech.example"


async def test_without_a_contact_the_name_is_required(client, user, application):
    missing = await post_conversation(client, user, application)
    null = await post_conversation(client, user, application, contact_name=None)

    for response in (missing, null):
        problem = assert_problem(response, 422)
        assert [(e["field"], e["code"]) for e in problem["errors"]] == [
            ("body.contact_name", "missing")
        ]
    listed = await client.get(CONVERSATIONS, headers=user["headers"])
    assert listed.json()["items"] == []


async def test_a_blank_name_is_refused_even_with_a_contact(client, user, application, contact):
    response = await post_conversation(
        client, user, application, contact_id=contact["id"], contact_name="  "
    )

    assert bad_fields(response) == {"body.contact_name"}


async def test_an_unknown_or_deleted_contact_is_422(client, user, application, contact):
    await client.delete(f"/v1/contacts/{contact['id']}", headers=user["headers"])

    unknown = await post_conversation(client, user, application, contact_id=str(uuid.uuid4()))
    deleted = await post_conversation(client, user, application, contact_id=contact["id"])

    for response in (unknown, deleted):
        assert bad_fields(response) == {"body.contact_id"}


async def test_another_users_contact_is_not_found_and_reveals_nothing(client, user, application):
    other = await register(client)
    theirs = await create_contact(client, other["headers"], name="Mallory Secret")
    conversation = await create_feedback(client, user["headers"], application["id"])

    posted = await post_conversation(
        client, user, application, contact_id=theirs["id"], contact_name="Bob"
    )
    patched = await client.patch(
        f"{CONVERSATIONS}/{conversation['id']}",
        json={"contact_id": theirs["id"]},
        headers=user["headers"],
    )

    # 422 naming the field, the same as for a contact that does not exist.
    for response in (posted, patched):
        assert bad_fields(response) == {"body.contact_id"}
        assert "Mallory" not in response.text
    listed = await client.get(CONVERSATIONS, headers=user["headers"])
    assert [item["contact_id"] for item in listed.json()["items"]] == [None]


async def test_patch_links_a_contact_and_fills_what_was_not_sent(
    client, user, application, contact
):
    conversation = await create_feedback(
        client, user["headers"], application["id"], contact_name="B.", contact_role="HR"
    )

    response = await client.patch(
        f"{CONVERSATIONS}/{conversation['id']}",
        json={"contact_id": contact["id"], "contact_role": "Talent partner"},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["contact_id"] == contact["id"]
    assert body["contact_name"] == "Bob Porter"
    assert body["contact_role"] == "Talent partner"
    assert body["contact_email"] == "bob@initech.example"
    assert body["version"] == 2


async def test_patch_null_unlinks_and_keeps_the_details(client, user, application, contact):
    conversation = await create_feedback(
        client, user["headers"], application["id"], contact_name=None, contact_id=contact["id"]
    )

    response = await client.patch(
        f"{CONVERSATIONS}/{conversation['id']}",
        json={"contact_id": None},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        **conversation,
        "contact_id": None,
        "version": 2,
        "updated_at": response.json()["updated_at"],
    }


async def test_conversations_can_be_listed_by_contact(client, user, application, contact):
    linked = await create_feedback(
        client, user["headers"], application["id"], contact_id=contact["id"]
    )
    await create_feedback(client, user["headers"], application["id"])

    response = await client.get(
        CONVERSATIONS, params={"contact_id": contact["id"]}, headers=user["headers"]
    )

    assert [item["id"] for item in response.json()["items"]] == [linked["id"]]


# --- the request draft ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["email", "call_script"])
async def test_the_draft_uses_the_contacts_current_name(client, user, application, contact, kind):
    conversation = await create_feedback(
        client, user["headers"], application["id"], contact_name=None, contact_id=contact["id"]
    )
    renamed = await client.patch(
        f"/v1/contacts/{contact['id']}", json={"name": "Robert Porter"}, headers=user["headers"]
    )
    assert renamed.status_code == 200, renamed.text

    response = await draft(client, user, conversation, kind)

    assert response.status_code == 200, response.text
    assert "Hello Robert Porter" in response.json()["body"]
    assert "Bob Porter" not in response.json()["body"]


async def test_after_the_contact_is_deleted_the_draft_uses_the_saved_name(
    client, user, application, contact
):
    conversation = await create_feedback(
        client, user["headers"], application["id"], contact_id=contact["id"], contact_name="Bob"
    )
    await client.delete(f"/v1/contacts/{contact['id']}", headers=user["headers"])

    response = await draft(client, user, conversation)

    assert response.status_code == 200, response.text
    assert "Hello Bob," in response.json()["body"]
    assert "Porter" not in response.json()["body"]


# --- deleting the contact ------------------------------------------------------------------


async def test_deleting_a_contact_keeps_its_conversations_unlinked(
    client, user, application, contact
):
    conversation = await create_feedback(
        client, user["headers"], application["id"], contact_name=None, contact_id=contact["id"]
    )
    token = (await client.get(CONVERSATIONS, headers=user["headers"])).json()["sync_token"]

    deleted = await client.delete(f"/v1/contacts/{contact['id']}", headers=user["headers"])

    assert deleted.status_code == 204
    got = await client.get(f"{CONVERSATIONS}/{conversation['id']}", headers=user["headers"])
    assert got.status_code == 200
    assert got.json() == {
        **conversation,
        "contact_id": None,
        "version": 2,
        "updated_at": got.json()["updated_at"],
    }
    assert got.json()["contact_name"] == "Bob Porter"
    synced = await client.get(
        CONVERSATIONS, params={"updated_since": token}, headers=user["headers"]
    )
    assert synced.json()["items"] == [got.json()]  # clients mirror the unlinking


async def test_deleting_a_contact_leaves_deleted_conversations_alone(
    client, user, application, contact
):
    conversation = await create_feedback(
        client, user["headers"], application["id"], contact_id=contact["id"]
    )
    await client.delete(f"{CONVERSATIONS}/{conversation['id']}", headers=user["headers"])
    token = (await client.get(CONVERSATIONS, headers=user["headers"])).json()["sync_token"]

    await client.delete(f"/v1/contacts/{contact['id']}", headers=user["headers"])

    synced = await client.get(
        CONVERSATIONS, params={"updated_since": token}, headers=user["headers"]
    )
    assert synced.json()["items"] == []
