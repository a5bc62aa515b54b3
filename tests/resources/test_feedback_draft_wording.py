"""Issue 18 #3: the request draft says what the records say, no more."""

import pytest

from tests.helpers import register
from tests.resources.factories import create_application, create_feedback, create_outcome


async def email_draft(client, user, conversation) -> str:
    response = await client.get(
        f"/v1/feedback-conversations/{conversation['id']}/request-draft",
        params={"format": "email"},
        headers=user["headers"],
    )
    assert response.status_code == 200, response.text
    return str(response.json()["body"])


@pytest.fixture
async def user(client):
    return await register(client, display_name="Ada Lovelace")


@pytest.fixture
async def application(client, user):
    return await create_application(
        client, user["headers"], company="Initech", role_title="Platform Engineer"
    )


async def test_without_an_outcome_the_email_thanks_for_no_decision(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])

    body = await email_draft(client, user, conversation)

    assert "decision" not in body
    assert "Thank you for interviewing me for the Platform Engineer role at Initech." in body


@pytest.mark.parametrize("kind", ["rejection", "offer"])
async def test_a_decision_told_is_thanked_for(client, user, application, kind):
    fields = {"offer_salary": 90000} if kind == "offer" else {}
    outcome = await create_outcome(client, user["headers"], application["id"], kind=kind, **fields)
    conversation = await create_feedback(
        client, user["headers"], application["id"], outcome_id=outcome["id"]
    )

    body = await email_draft(client, user, conversation)

    assert "for letting me know your decision" in body


async def test_a_ghosted_application_is_thanked_for_no_decision(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"], kind="ghosted")
    conversation = await create_feedback(
        client, user["headers"], application["id"], outcome_id=outcome["id"]
    )

    body = await email_draft(client, user, conversation)

    assert "decision" not in body


async def test_an_email_conversation_asks_for_a_written_answer_or_a_call(client, user, application):
    conversation = await create_feedback(
        client, user["headers"], application["id"], channel="email"
    )

    body = await email_draft(client, user, conversation)

    assert "phone" not in body
    assert "reply to this email" in body
    assert "call" in body
    assert "These are the questions I have in mind" in body


@pytest.mark.parametrize(("channel", "said"), [("phone", "phone call"), ("video", "video call")])
async def test_a_call_is_asked_for_as_the_channel_says(client, user, application, channel, said):
    conversation = await create_feedback(
        client, user["headers"], application["id"], channel=channel
    )

    body = await email_draft(client, user, conversation)

    assert said in body
    assert "reply to this email" not in body
