"""Feedback conversations: asking the company what to learn from an outcome, how the status
may move, and the request drafts (email, call script)."""

import uuid

import pytest

from app.guidance.catalogue import FEEDBACK_QUESTIONS
from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories_outcomes import (
    create_application,
    create_feedback,
    create_outcome,
)

STATUSES = ["planned", "requested", "scheduled", "completed", "declined", "no_response"]

# Where a conversation may go from each status (besides staying where it is).
ALLOWED_FROM = {
    "planned": {"requested", "scheduled", "completed", "declined", "no_response"},
    "requested": {"scheduled", "completed", "declined", "no_response"},
    "scheduled": {"completed", "declined", "no_response"},
    "completed": set(),
    "declined": set(),
    "no_response": {"scheduled", "completed", "declined"},
}
TRANSITIONS = [
    (current, new, new in ALLOWED_FROM[current])
    for current in STATUSES
    for new in STATUSES
    if new != current
]


def transition_id(case: tuple[str, str, bool]) -> str:
    current, new, allowed = case
    return f"{current}->{new}-{'ok' if allowed else 'refused'}"


@pytest.fixture
async def user(client):
    return await register(client, display_name="Ada Lovelace")


@pytest.fixture
async def application(client, user):
    return await create_application(
        client, user["headers"], company="Initech", role_title="Platform Engineer"
    )


async def post_feedback(client, user, application, **fields):
    body = {"application_id": application["id"], "contact_name": "Bob Recruiter", **fields}
    return await client.post("/v1/feedback-conversations", json=body, headers=user["headers"])


async def patch_feedback(client, user, conversation, body, **headers):
    return await client.patch(
        f"/v1/feedback-conversations/{conversation['id']}",
        json=body,
        headers={**user["headers"], **headers},
    )


async def draft(client, user, conversation, format):  # noqa: A002
    return await client.get(
        f"/v1/feedback-conversations/{conversation['id']}/request-draft",
        params={"format": format},
        headers=user["headers"],
    )


# --- create, read, update, delete -----------------------------------------------------------


async def test_create_returns_the_conversation(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])

    response = await post_feedback(
        client,
        user,
        application,
        outcome_id=outcome["id"],
        contact_role="Engineering Manager",
        contact_email="bob@initech.example",
        channel="video",
        status="requested",
        requested_on="2026-11-21",
        scheduled_at="2026-11-25T15:00:00+01:00",
        answers=[{"question_key": "prepare_better", "answer": "More system design practice."}],
        takeaways="Practise whiteboard sessions.",
        trust="genuine",
        stay_in_touch=True,
        follow_up_on="2027-02-01",
    )

    assert response.status_code == 201, response.text
    conversation = response.json()
    assert response.headers["location"] == f"/v1/feedback-conversations/{conversation['id']}"
    assert response.headers["etag"] == f'"{uuid.UUID(conversation["id"]).hex}-1"'
    assert conversation["application_id"] == application["id"]
    assert conversation["outcome_id"] == outcome["id"]
    assert conversation["contact_name"] == "Bob Recruiter"
    assert conversation["contact_role"] == "Engineering Manager"
    assert conversation["contact_email"] == "bob@initech.example"
    assert conversation["channel"] == "video"
    assert conversation["status"] == "requested"
    assert conversation["requested_on"] == "2026-11-21"
    assert conversation["scheduled_at"] == "2026-11-25T14:00:00Z"
    assert conversation["answers"] == [
        {"question_key": "prepare_better", "answer": "More system design practice."}
    ]
    assert conversation["takeaways"] == "Practise whiteboard sessions."
    assert conversation["trust"] == "genuine"
    assert conversation["stay_in_touch"] is True
    assert conversation["follow_up_on"] == "2027-02-01"
    assert conversation["version"] == 1


async def test_defaults_of_a_minimal_conversation(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])

    assert conversation["status"] == "planned"
    assert conversation["channel"] == "phone"
    assert conversation["answers"] == []
    assert conversation["trust"] is None
    assert conversation["stay_in_touch"] is False
    assert conversation["outcome_id"] is None


async def test_get_returns_the_stored_conversation(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])

    response = await client.get(
        f"/v1/feedback-conversations/{conversation['id']}", headers=user["headers"]
    )

    assert response.status_code == 200, response.text
    assert response.json() == conversation


async def test_patch_changes_fields_and_bumps_the_version(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])

    response = await patch_feedback(
        client,
        user,
        conversation,
        {"takeaways": "Be more concise.", "trust": "partly", "stay_in_touch": True},
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["takeaways"] == "Be more concise."
    assert updated["trust"] == "partly"
    assert updated["stay_in_touch"] is True
    assert updated["contact_name"] == "Bob Recruiter"
    assert updated["version"] == 2


async def test_delete_hides_the_conversation(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])

    response = await client.delete(
        f"/v1/feedback-conversations/{conversation['id']}", headers=user["headers"]
    )

    assert response.status_code == 204, response.text
    path = f"/v1/feedback-conversations/{conversation['id']}"
    assert_problem(await client.get(path, headers=user["headers"]), 404)
    listed = await client.get("/v1/feedback-conversations", headers=user["headers"])
    assert listed.json()["items"] == []


async def test_resending_the_same_client_id_and_body_returns_the_conversation(
    client, user, application
):
    body = {
        "id": str(uuid.uuid4()),
        "application_id": application["id"],
        "contact_name": "Bob Recruiter",
        "contact_email": "bob@initech.example",
        "scheduled_at": "2026-11-25T15:00:00+01:00",
        "answers": [{"question_key": "right_role", "answer": "Yes, aim a level lower."}],
    }
    first = await post_feedback(client, user, application, **body)
    assert first.status_code == 201, first.text

    again = await post_feedback(client, user, application, **body)
    other = await post_feedback(client, user, application, **{**body, "contact_name": "Eve"})

    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert_problem(other, 409)


async def test_conversation_of_another_user_is_not_found(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])
    other = await register(client)
    path = f"/v1/feedback-conversations/{conversation['id']}"

    assert_problem(await client.get(path, headers=other["headers"]), 404)
    assert_problem(
        await client.patch(path, json={"trust": "doubtful"}, headers=other["headers"]), 404
    )
    assert_problem(await client.delete(path, headers=other["headers"]), 404)


async def test_application_of_another_user_is_not_found(client, user):
    other = await register(client)
    foreign = await create_application(client, other["headers"])

    assert bad_fields(await post_feedback(client, user, foreign)) == {"body.application_id"}


async def test_contact_name_is_required(client, user, application):
    response = await client.post(
        "/v1/feedback-conversations",
        json={"application_id": application["id"]},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"body.contact_name"}


async def test_filters_by_application_outcome_and_status(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])
    other_application = await create_application(client, user["headers"], company="Globex")
    about_outcome = await create_feedback(
        client, user["headers"], application["id"], outcome_id=outcome["id"], status="requested"
    )
    elsewhere = await create_feedback(
        client, user["headers"], other_application["id"], status="completed"
    )

    async def ids(query):
        response = await client.get(f"/v1/feedback-conversations?{query}", headers=user["headers"])
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(f"application_id={application['id']}") == [about_outcome["id"]]
    assert await ids(f"outcome_id={outcome['id']}") == [about_outcome["id"]]
    assert await ids("status=completed") == [elsewhere["id"]]
    assert await ids("status=requested") == [about_outcome["id"]]


# --- status ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
async def test_created_in_any_status(client, user, application, status):
    response = await post_feedback(client, user, application, status=status)

    assert response.status_code == 201, response.text
    assert response.json()["status"] == status


async def test_unknown_status_is_refused(client, user, application):
    response = await post_feedback(client, user, application, status="ghosted")

    assert bad_fields(response) == {"body.status"}


@pytest.mark.parametrize("case", TRANSITIONS, ids=transition_id)
async def test_status_transition(client, user, application, case):
    current, new, allowed = case
    conversation = await create_feedback(client, user["headers"], application["id"], status=current)

    response = await patch_feedback(client, user, conversation, {"status": new})

    if allowed:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == new
        assert response.json()["version"] == 2
    else:
        problem = assert_problem(response, 422)
        assert set(problem["allowed"]) == ALLOWED_FROM[current]
        for status in problem["allowed"]:
            assert status in problem["detail"]
        stored = await client.get(
            f"/v1/feedback-conversations/{conversation['id']}", headers=user["headers"]
        )
        assert stored.json()["status"] == current
        assert stored.json()["version"] == 1


@pytest.mark.parametrize("status", STATUSES)
async def test_same_status_is_a_no_op(client, user, application, status):
    conversation = await create_feedback(client, user["headers"], application["id"], status=status)

    response = await patch_feedback(client, user, conversation, {"status": status})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == status
    assert response.json()["version"] == 1
    assert response.headers["etag"] == f'"{uuid.UUID(conversation["id"]).hex}-1"'


async def test_refused_transition_from_a_finished_conversation_says_so(client, user, application):
    conversation = await create_feedback(
        client, user["headers"], application["id"], status="declined"
    )

    response = await patch_feedback(client, user, conversation, {"status": "requested"})

    problem = assert_problem(response, 422)
    assert problem["allowed"] == []
    assert "declined" in problem["detail"] and "requested" in problem["detail"]


async def test_status_cannot_be_cleared(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])

    response = await patch_feedback(client, user, conversation, {"status": None})

    assert bad_fields(response) == {"body.status"}


async def test_refused_transition_keeps_the_other_changes_out(client, user, application):
    conversation = await create_feedback(
        client, user["headers"], application["id"], status="completed"
    )

    response = await patch_feedback(
        client, user, conversation, {"status": "planned", "takeaways": "Should not be saved."}
    )

    assert_problem(response, 422)
    stored = await client.get(
        f"/v1/feedback-conversations/{conversation['id']}", headers=user["headers"]
    )
    assert stored.json()["takeaways"] is None


# --- the outcome it is about ----------------------------------------------------------------


async def test_outcome_of_another_application_is_refused(client, user, application):
    other_application = await create_application(client, user["headers"], company="Globex")
    outcome = await create_outcome(client, user["headers"], other_application["id"])

    response = await post_feedback(client, user, application, outcome_id=outcome["id"])

    assert bad_fields(response) == {"body.outcome_id"}


async def test_patch_to_an_outcome_of_another_application_is_refused(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])
    other_application = await create_application(client, user["headers"], company="Globex")
    outcome = await create_outcome(client, user["headers"], other_application["id"])

    response = await patch_feedback(client, user, conversation, {"outcome_id": outcome["id"]})

    assert bad_fields(response) == {"body.outcome_id"}


async def test_patch_to_an_outcome_of_the_same_application(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])
    outcome = await create_outcome(client, user["headers"], application["id"])

    response = await patch_feedback(client, user, conversation, {"outcome_id": outcome["id"]})

    assert response.status_code == 200, response.text
    assert response.json()["outcome_id"] == outcome["id"]


async def test_outcome_of_another_user_is_not_found(client, user, application):
    other = await register(client)
    foreign_outcome = await create_outcome(
        client, other["headers"], (await create_application(client, other["headers"]))["id"]
    )

    posted = await post_feedback(client, user, application, outcome_id=foreign_outcome["id"])
    assert bad_fields(posted) == {"body.outcome_id"}
    conversation = await create_feedback(client, user["headers"], application["id"])
    # On the conversation's own URL too: 404 would say the conversation is gone.
    assert assert_problem(
        await patch_feedback(client, user, conversation, {"outcome_id": foreign_outcome["id"]}),
        422,
    )["type"].endswith("/reference-not-found")


async def test_deleted_outcome_is_not_found(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])
    await client.delete(f"/v1/outcomes/{outcome['id']}", headers=user["headers"])

    posted = await post_feedback(client, user, application, outcome_id=outcome["id"])
    assert bad_fields(posted) == {"body.outcome_id"}


# --- answers, trust, contact ----------------------------------------------------------------


async def test_unknown_question_key_is_refused(client, user, application):
    response = await post_feedback(
        client,
        user,
        application,
        answers=[{"question_key": "favourite_colour", "answer": "Blue."}],
    )

    assert bad_fields(response) == {"body.answers.0.question_key"}


async def test_the_same_question_twice_is_refused(client, user, application):
    response = await post_feedback(
        client,
        user,
        application,
        answers=[
            {"question_key": "chosen_candidate", "answer": "More Go experience."},
            {"question_key": "chosen_candidate", "answer": "And they knew the team."},
        ],
    )

    assert bad_fields(response) == {"body.answers"}


async def test_every_question_can_be_answered(client, user, application):
    answers = [
        {"question_key": question.key, "answer": "Noted."} for question in FEEDBACK_QUESTIONS
    ]

    response = await post_feedback(client, user, application, answers=answers)

    assert response.status_code == 201, response.text
    assert response.json()["answers"] == answers


async def test_patch_validates_answers_too(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])

    response = await patch_feedback(
        client, user, conversation, {"answers": [{"question_key": "nope", "answer": "x"}]}
    )

    assert bad_fields(response) == {"body.answers.0.question_key"}


@pytest.mark.parametrize("trust", ["genuine", "partly", "generic", "doubtful"])
async def test_trust_levels_accepted(client, user, application, trust):
    response = await post_feedback(client, user, application, trust=trust)

    assert response.status_code == 201, response.text
    assert response.json()["trust"] == trust


@pytest.mark.parametrize("trust", ["maybe", "GENUINE", 3])
async def test_unknown_trust_is_refused(client, user, application, trust):
    response = await post_feedback(client, user, application, trust=trust)

    assert bad_fields(response) == {"body.trust"}


@pytest.mark.parametrize("email", ["not-an-email", "bob@", "@initech.example", "bob at initech"])
async def test_invalid_contact_email_is_refused(client, user, application, email):
    response = await post_feedback(client, user, application, contact_email=email)

    assert bad_fields(response) == {"body.contact_email"}


async def test_invalid_contact_email_in_patch_is_refused(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])

    response = await patch_feedback(client, user, conversation, {"contact_email": "nope"})

    assert bad_fields(response) == {"body.contact_email"}


# --- request drafts -------------------------------------------------------------------------


async def test_email_draft_is_personalised(client, user, application):
    conversation = await create_feedback(
        client, user["headers"], application["id"], contact_name="Grace Hopper"
    )

    response = await draft(client, user, conversation, "email")

    assert response.status_code == 200, response.text
    email = response.json()
    assert email["format"] == "email"
    assert email["subject"]
    for name in ("Ada Lovelace", "Grace Hopper", "Initech", "Platform Engineer"):
        assert name in email["body"], name
    assert "None" not in email["subject"] + email["body"]


async def test_email_is_the_default_format(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])

    response = await client.get(
        f"/v1/feedback-conversations/{conversation['id']}/request-draft", headers=user["headers"]
    )

    assert response.status_code == 200, response.text
    assert response.json()["format"] == "email"


async def test_call_script_asks_the_interviewer_questions(client, user, application):
    conversation = await create_feedback(
        client, user["headers"], application["id"], contact_name="Grace Hopper"
    )

    response = await draft(client, user, conversation, "call_script")

    assert response.status_code == 200, response.text
    script = response.json()
    assert script["format"] == "call_script"
    assert script["subject"] is None
    body = script["body"]
    for name in ("Ada Lovelace", "Grace Hopper", "Initech", "Platform Engineer"):
        assert name in body, name
    assert len(FEEDBACK_QUESTIONS) == 5
    positions = [body.index(question.text) for question in FEEDBACK_QUESTIONS]
    assert positions == sorted(positions)
    assert [question["key"] for question in script["questions"]] == [
        question.key for question in FEEDBACK_QUESTIONS
    ]
    closing = [line for line in body.splitlines() if line.strip()][-1]
    assert "in touch" in closing.lower()
    assert closing.rstrip().endswith("?")
    assert "None" not in body


@pytest.mark.parametrize("format", ["pdf", "EMAIL", ""])
async def test_unknown_draft_format_is_refused(client, user, application, format):  # noqa: A002
    conversation = await create_feedback(client, user["headers"], application["id"])

    response = await draft(client, user, conversation, format)

    assert bad_fields(response) == {"query.format"}


@pytest.mark.parametrize("format", ["email", "call_script"])
async def test_draft_without_a_display_name_never_says_none(client, application, format):  # noqa: A002
    del application  # the fixture's user has a name; this one has none
    nameless = await register(client)
    assert nameless["user"]["display_name"] is None
    own_application = await create_application(
        client, nameless["headers"], company="Initech", role_title="Platform Engineer"
    )
    conversation = await create_feedback(
        client, nameless["headers"], own_application["id"], contact_name="Grace Hopper"
    )

    response = await draft(client, nameless, conversation, format)

    assert response.status_code == 200, response.text
    text = (response.json()["subject"] or "") + response.json()["body"]
    assert "None" not in text
    assert "null" not in text
    assert "Grace Hopper" in text and "Initech" in text


@pytest.mark.parametrize("format", ["email", "call_script"])
async def test_draft_of_another_users_conversation_is_not_found(
    client,
    user,
    application,
    format,  # noqa: A002
):
    conversation = await create_feedback(client, user["headers"], application["id"])
    other = await register(client, display_name="Mallory")

    assert_problem(await draft(client, other, conversation, format), 404)


async def test_draft_of_a_deleted_conversation_is_not_found(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])
    await client.delete(f"/v1/feedback-conversations/{conversation['id']}", headers=user["headers"])

    assert_problem(await draft(client, user, conversation, "email"), 404)


# --- cascade --------------------------------------------------------------------------------


async def test_deleting_the_application_tombstones_its_conversations(client, user, application):
    conversation = await create_feedback(client, user["headers"], application["id"])
    listed = await client.get("/v1/feedback-conversations", headers=user["headers"])
    token = listed.json()["sync_token"]

    await client.delete(f"/v1/applications/{application['id']}", headers=user["headers"])

    synced = await client.get(
        f"/v1/feedback-conversations?updated_since={token}", headers=user["headers"]
    )
    items = synced.json()["items"]
    assert [item["id"] for item in items] == [conversation["id"]]
    assert items[0]["deleted_at"] is not None
