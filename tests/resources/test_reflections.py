"""Reflections: the private journal after an outcome — references, validation, and privacy
(journal text never comes back in an error and never reaches a log)."""

import logging
import uuid

import pytest

from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories_outcomes import (
    create_application,
    create_outcome,
    create_reflection,
    sync_token,
)

SECRET = "my-private-journal-7731"
LIST_FIELDS = ["went_well", "to_improve", "gratitude"]


@pytest.fixture
async def user(client):
    return await register(client, display_name="Ada")


@pytest.fixture
async def application(client, user):
    return await create_application(client, user["headers"])


@pytest.fixture
async def outcome(client, user, application):
    return await create_outcome(client, user["headers"], application["id"])


async def post_reflection(client, user, body):
    return await client.post("/v1/reflections", json=body, headers=user["headers"])


async def patch_reflection(client, user, reflection, body):
    return await client.patch(
        f"/v1/reflections/{reflection['id']}", json=body, headers=user["headers"]
    )


# --- create, read, update, delete -----------------------------------------------------------


async def test_create_returns_the_reflection(client, user, application, outcome):
    response = await post_reflection(
        client,
        user,
        {
            "application_id": application["id"],
            "outcome_id": outcome["id"],
            "answers": [{"prompt_key": "what_learned", "answer": "Ask about the team first."}],
            "went_well": ["Clear system design story"],
            "to_improve": ["Shorter answers"],
            "gratitude": ["Met a great engineering manager"],
            "mood": 4,
            "diagnosis": "in_person",
            "still_want_similar_roles": "yes",
            "next_steps": [{"text": "Two mock interviews", "due_on": "2026-12-01"}],
        },
    )

    assert response.status_code == 201, response.text
    reflection = response.json()
    assert response.headers["location"] == f"/v1/reflections/{reflection['id']}"
    assert response.headers["etag"] == f'"{uuid.UUID(reflection["id"]).hex}-1"'
    assert reflection["application_id"] == application["id"]
    assert reflection["outcome_id"] == outcome["id"]
    assert reflection["answers"] == [
        {"prompt_key": "what_learned", "answer": "Ask about the team first."}
    ]
    assert reflection["went_well"] == ["Clear system design story"]
    assert reflection["to_improve"] == ["Shorter answers"]
    assert reflection["gratitude"] == ["Met a great engineering manager"]
    assert reflection["mood"] == 4
    assert reflection["diagnosis"] == "in_person"
    assert reflection["still_want_similar_roles"] == "yes"
    [step] = reflection["next_steps"]
    assert uuid.UUID(step.pop("id"))  # the server names each step
    assert step == {"text": "Two mock interviews", "due_on": "2026-12-01", "done": False}
    assert reflection["version"] == 1


async def test_defaults_of_an_empty_reflection(client, user):
    reflection = await create_reflection(client, user["headers"])

    assert reflection["application_id"] is None and reflection["outcome_id"] is None
    assert reflection["answers"] == []
    assert reflection["went_well"] == [] and reflection["to_improve"] == []
    assert reflection["gratitude"] == [] and reflection["next_steps"] == []
    assert reflection["mood"] is None
    assert reflection["diagnosis"] == "unsure"
    assert reflection["still_want_similar_roles"] == "unsure"


async def test_get_returns_the_stored_reflection(client, user, outcome):
    reflection = await create_reflection(
        client, user["headers"], outcome_id=outcome["id"], went_well=["Prepared well"]
    )

    response = await client.get(f"/v1/reflections/{reflection['id']}", headers=user["headers"])

    assert response.status_code == 200, response.text
    assert response.json() == reflection


async def test_patch_changes_fields_and_bumps_the_version(client, user, outcome):
    reflection = await create_reflection(
        client, user["headers"], outcome_id=outcome["id"], mood=3, went_well=["a"]
    )

    response = await patch_reflection(
        client,
        user,
        reflection,
        {
            "mood": 6,
            "diagnosis": "network",
            "next_steps": [{"text": "Coffee with a team member", "done": True}],
        },
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["mood"] == 6
    assert updated["diagnosis"] == "network"
    [step] = updated["next_steps"]
    assert uuid.UUID(step.pop("id"))
    assert step == {"text": "Coffee with a team member", "due_on": None, "done": True}
    assert updated["went_well"] == ["a"]
    assert updated["outcome_id"] == outcome["id"]
    assert updated["version"] == 2


async def test_delete_hides_the_reflection(client, user):
    reflection = await create_reflection(client, user["headers"])

    response = await client.delete(f"/v1/reflections/{reflection['id']}", headers=user["headers"])

    assert response.status_code == 204, response.text
    path = f"/v1/reflections/{reflection['id']}"
    assert_problem(await client.get(path, headers=user["headers"]), 404)
    assert (await client.get("/v1/reflections", headers=user["headers"])).json()["items"] == []


async def test_reflection_of_another_user_is_not_found(client, user):
    reflection = await create_reflection(client, user["headers"], went_well=["x"])
    other = await register(client)
    path = f"/v1/reflections/{reflection['id']}"

    assert_problem(await client.get(path, headers=other["headers"]), 404)
    assert_problem(await client.patch(path, json={"mood": 1}, headers=other["headers"]), 404)
    assert_problem(await client.delete(path, headers=other["headers"]), 404)
    listed = await client.get("/v1/reflections", headers=other["headers"])
    assert listed.json()["items"] == []


async def test_filters_by_application_outcome_and_diagnosis(client, user, application, outcome):
    other_application = await create_application(client, user["headers"], company="Globex")
    about_outcome = await create_reflection(
        client, user["headers"], outcome_id=outcome["id"], diagnosis="fit"
    )
    elsewhere = await create_reflection(
        client, user["headers"], application_id=other_application["id"], diagnosis="on_paper"
    )

    async def ids(query):
        response = await client.get(f"/v1/reflections?{query}", headers=user["headers"])
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(f"application_id={application['id']}") == [about_outcome["id"]]
    assert await ids(f"outcome_id={outcome['id']}") == [about_outcome["id"]]
    assert await ids("diagnosis=on_paper") == [elsewhere["id"]]


async def test_deleting_the_application_tombstones_its_reflections(client, user, application):
    reflection = await create_reflection(client, user["headers"], application_id=application["id"])
    token = await sync_token(client, user["headers"], "reflections")

    await client.delete(f"/v1/applications/{application['id']}", headers=user["headers"])

    synced = await client.get(f"/v1/reflections?updated_since={token}", headers=user["headers"])
    items = synced.json()["items"]
    assert [item["id"] for item in items] == [reflection["id"]]
    assert items[0]["deleted_at"] is not None


# --- references -----------------------------------------------------------------------------


async def test_outcome_alone_derives_the_application(client, user, application, outcome):
    reflection = await create_reflection(client, user["headers"], outcome_id=outcome["id"])

    assert reflection["application_id"] == application["id"]
    stored = await client.get(f"/v1/reflections/{reflection['id']}", headers=user["headers"])
    assert stored.json()["application_id"] == application["id"]


async def test_application_alone_is_enough(client, user, application):
    reflection = await create_reflection(client, user["headers"], application_id=application["id"])

    assert reflection["application_id"] == application["id"]
    assert reflection["outcome_id"] is None


async def test_outcome_and_its_own_application_are_accepted(client, user, application, outcome):
    reflection = await create_reflection(
        client, user["headers"], application_id=application["id"], outcome_id=outcome["id"]
    )

    assert reflection["application_id"] == application["id"]


async def test_outcome_of_another_application_is_refused(client, user, application):
    other_application = await create_application(client, user["headers"], company="Globex")
    foreign_outcome = await create_outcome(client, user["headers"], other_application["id"])

    response = await post_reflection(
        client, user, {"application_id": application["id"], "outcome_id": foreign_outcome["id"]}
    )

    assert bad_fields(response) == {"body.outcome_id"}


async def test_resending_the_same_client_id_and_body_returns_the_reflection(
    client, user, application, outcome
):
    body = {
        "id": str(uuid.uuid4()),
        "application_id": application["id"],
        "outcome_id": outcome["id"],
        "went_well": ["Good rapport"],
        "next_steps": [{"text": "Mock interview", "due_on": "2026-12-01"}],
    }
    first = await post_reflection(client, user, body)
    assert first.status_code == 201, first.text

    again = await post_reflection(client, user, body)
    other = await post_reflection(client, user, {**body, "went_well": ["Something else"]})

    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert_problem(other, 409)


async def test_resending_a_reflection_sent_with_only_its_outcome_returns_it(client, user, outcome):
    body = {"id": str(uuid.uuid4()), "outcome_id": outcome["id"], "mood": 5}
    first = await post_reflection(client, user, body)
    assert first.status_code == 201, first.text

    again = await post_reflection(client, user, body)

    assert again.status_code == 200, again.text
    assert again.json() == first.json()


async def test_references_of_another_user_are_not_found(client, user):
    other = await register(client)
    foreign_application = await create_application(client, other["headers"])
    foreign_outcome = await create_outcome(client, other["headers"], foreign_application["id"])

    for body in (
        {"application_id": foreign_application["id"]},
        {"outcome_id": foreign_outcome["id"]},
    ):
        assert bad_fields(await post_reflection(client, user, body)) == {f"body.{next(iter(body))}"}


async def test_references_cannot_be_changed_afterwards(client, user, outcome):
    reflection = await create_reflection(client, user["headers"], outcome_id=outcome["id"])

    response = await patch_reflection(client, user, reflection, {"outcome_id": None})

    assert bad_fields(response) == {"body.outcome_id"}


# --- answers and lists ----------------------------------------------------------------------


async def test_unknown_prompt_key_is_refused(client, user):
    response = await post_reflection(
        client, user, {"answers": [{"prompt_key": "horoscope", "answer": "Mercury retrograde."}]}
    )

    assert bad_fields(response) == {"body.answers.0.prompt_key"}


async def test_the_same_prompt_twice_is_refused(client, user):
    answers = [
        {"prompt_key": "did_well", "answer": "Good stories."},
        {"prompt_key": "did_well", "answer": "Good questions."},
    ]

    response = await post_reflection(client, user, {"answers": answers})

    assert bad_fields(response) == {"body.answers"}


async def test_answer_text_is_capped(client, user):
    ok = await post_reflection(
        client, user, {"answers": [{"prompt_key": "did_well", "answer": "x" * 5000}]}
    )
    too_long = await post_reflection(
        client, user, {"answers": [{"prompt_key": "did_well", "answer": "x" * 5001}]}
    )

    assert ok.status_code == 201, ok.text
    assert bad_fields(too_long) == {"body.answers.0.answer"}


async def test_patch_validates_prompt_keys_too(client, user):
    reflection = await create_reflection(client, user["headers"])

    response = await patch_reflection(
        client, user, reflection, {"answers": [{"prompt_key": "nope", "answer": "x"}]}
    )

    assert bad_fields(response) == {"body.answers.0.prompt_key"}


@pytest.mark.parametrize("field", LIST_FIELDS)
async def test_lists_hold_up_to_twenty_items_of_up_to_1000_chars(client, user, field):
    items = [f"item {number} " + "x" * 900 for number in range(19)] + ["y" * 1000]

    response = await post_reflection(client, user, {field: items})

    assert response.status_code == 201, response.text
    assert response.json()[field] == items


@pytest.mark.parametrize("field", LIST_FIELDS)
async def test_lists_of_more_than_twenty_items_are_refused(client, user, field):
    response = await post_reflection(client, user, {field: [f"item {n}" for n in range(21)]})

    assert bad_fields(response) == {f"body.{field}"}


@pytest.mark.parametrize("field", LIST_FIELDS)
async def test_list_items_longer_than_1000_chars_are_refused(client, user, field):
    response = await post_reflection(client, user, {field: ["ok", "x" * 1001]})

    assert bad_fields(response) == {f"body.{field}.1"}


@pytest.mark.parametrize("field", LIST_FIELDS)
@pytest.mark.parametrize("item", ["", "   "])
async def test_blank_list_items_are_refused(client, user, field, item):
    response = await post_reflection(client, user, {field: [item]})

    assert bad_fields(response) == {f"body.{field}.0"}


@pytest.mark.parametrize("field", LIST_FIELDS)
async def test_patch_caps_lists_too(client, user, field):
    reflection = await create_reflection(client, user["headers"])

    response = await patch_reflection(client, user, reflection, {field: ["x"] * 21})

    assert bad_fields(response) == {f"body.{field}"}


# --- mood, diagnosis, still_want_similar_roles ----------------------------------------------


@pytest.mark.parametrize("mood", [0, 10])
async def test_mood_within_zero_to_ten(client, user, mood):
    response = await post_reflection(client, user, {"mood": mood})

    assert response.status_code == 201, response.text
    assert response.json()["mood"] == mood


@pytest.mark.parametrize("mood", [-1, 11, "sad"])
async def test_mood_outside_zero_to_ten(client, user, mood):
    response = await post_reflection(client, user, {"mood": mood})

    assert bad_fields(response) == {"body.mood"}


@pytest.mark.parametrize(
    "diagnosis", ["in_person", "on_paper", "network", "fit", "circumstantial", "unsure"]
)
async def test_diagnoses_accepted(client, user, diagnosis):
    response = await post_reflection(client, user, {"diagnosis": diagnosis})

    assert response.status_code == 201, response.text
    assert response.json()["diagnosis"] == diagnosis


@pytest.mark.parametrize("diagnosis", ["bad_luck", "", None])
async def test_unknown_diagnosis_is_refused(client, user, diagnosis):
    response = await post_reflection(client, user, {"diagnosis": diagnosis})

    assert bad_fields(response) == {"body.diagnosis"}


@pytest.mark.parametrize("answer", ["yes", "no", "unsure"])
async def test_still_want_similar_roles_accepted(client, user, answer):
    response = await post_reflection(client, user, {"still_want_similar_roles": answer})

    assert response.status_code == 201, response.text
    assert response.json()["still_want_similar_roles"] == answer


@pytest.mark.parametrize("answer", ["maybe", True, None])
async def test_unknown_still_want_similar_roles_is_refused(client, user, answer):
    response = await post_reflection(client, user, {"still_want_similar_roles": answer})

    assert bad_fields(response) == {"body.still_want_similar_roles"}


# --- next steps -----------------------------------------------------------------------------


async def test_next_step_text_is_required(client, user):
    response = await post_reflection(client, user, {"next_steps": [{"due_on": "2026-12-01"}]})

    assert bad_fields(response) == {"body.next_steps.0.text"}


@pytest.mark.parametrize("text", ["", "   "])
async def test_next_step_text_cannot_be_blank(client, user, text):
    response = await post_reflection(client, user, {"next_steps": [{"text": text}]})

    assert bad_fields(response) == {"body.next_steps.0.text"}


async def test_next_step_text_is_capped_at_500(client, user):
    ok = await post_reflection(client, user, {"next_steps": [{"text": "x" * 500}]})
    too_long = await post_reflection(client, user, {"next_steps": [{"text": "x" * 501}]})

    assert ok.status_code == 201, ok.text
    assert bad_fields(too_long) == {"body.next_steps.0.text"}


async def test_next_step_due_on_must_be_a_date(client, user):
    response = await post_reflection(
        client, user, {"next_steps": [{"text": "Mock interview", "due_on": "soon"}]}
    )

    assert bad_fields(response) == {"body.next_steps.0.due_on"}


async def test_next_step_unknown_field_is_refused(client, user):
    response = await post_reflection(
        client, user, {"next_steps": [{"text": "Mock interview", "priority": "high"}]}
    )

    assert bad_fields(response) == {"body.next_steps.0.priority"}


# --- privacy --------------------------------------------------------------------------------

INVALID_BODIES_WITH_THE_SECRET = {
    "answer too long": {"answers": [{"prompt_key": "what_learned", "answer": SECRET * 300}]},
    "went_well list too long": {"went_well": [f"{SECRET} {n}" for n in range(21)]},
    "to_improve item too long": {"to_improve": [SECRET + "x" * 1000]},
    "unknown field": {"diary": SECRET},
    "mood of the wrong type": {"mood": SECRET},
    "unknown prompt key": {"answers": [{"prompt_key": SECRET, "answer": "x"}]},
    "unknown diagnosis": {"diagnosis": SECRET},
    "unknown still_want_similar_roles": {"still_want_similar_roles": SECRET},
    "next step too long": {"next_steps": [{"text": SECRET * 30}]},
    "next step due_on not a date": {"next_steps": [{"text": "x", "due_on": SECRET}]},
    "outcome_id not a uuid": {"outcome_id": SECRET},
    "answers not a list": {"answers": SECRET},
}


@pytest.mark.parametrize(
    "body", INVALID_BODIES_WITH_THE_SECRET.values(), ids=INVALID_BODIES_WITH_THE_SECRET.keys()
)
async def test_invalid_bodies_never_echo_journal_text(client, user, body):
    response = await post_reflection(client, user, body)

    assert_problem(response, 422)
    assert SECRET not in response.text


@pytest.mark.parametrize(
    "body",
    [
        {"answers": [{"prompt_key": "what_learned", "answer": SECRET * 300}]},
        {"went_well": [SECRET] * 21},
        {"mood": SECRET},
        {"diary": SECRET},
    ],
    ids=["answer too long", "list too long", "mood of the wrong type", "unknown field"],
)
async def test_invalid_patches_never_echo_journal_text(client, user, body):
    reflection = await create_reflection(client, user["headers"])

    response = await patch_reflection(client, user, reflection, body)

    assert_problem(response, 422)
    assert SECRET not in response.text


async def test_not_valid_json_never_echoes_journal_text(client, user):
    response = await client.post(
        "/v1/reflections",
        content='{"went_well": ["' + SECRET + '"',
        headers={**user["headers"], "Content-Type": "application/json"},
    )

    assert_problem(response, 422)
    assert SECRET not in response.text


async def test_idempotency_conflict_never_echoes_journal_text(client, user):
    headers = {**user["headers"], "Idempotency-Key": "reflection-1"}
    first = await client.post("/v1/reflections", json={"went_well": ["fine"]}, headers=headers)
    assert first.status_code == 201, first.text

    response = await client.post("/v1/reflections", json={"went_well": [SECRET]}, headers=headers)

    assert response.status_code in (409, 422), response.text
    assert SECRET not in response.text


def assert_not_logged(caplog: pytest.LogCaptureFixture, secret: str) -> None:
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in record.getMessage(), record.name
        assert secret not in repr(record.args), record.name
        assert secret not in repr(record.__dict__), record.name


async def test_journal_text_never_reaches_the_logs(client, user, outcome, caplog):
    caplog.set_level(logging.DEBUG)

    created = await post_reflection(
        client,
        user,
        {
            "outcome_id": outcome["id"],
            "answers": [{"prompt_key": "what_learned", "answer": f"I learned {SECRET}"}],
            "went_well": [SECRET],
            "next_steps": [{"text": f"Write about {SECRET}"}],
        },
    )
    assert created.status_code == 201, created.text
    patched = await patch_reflection(
        client, user, created.json(), {"gratitude": [f"thankful: {SECRET}"], "mood": 7}
    )
    assert patched.status_code == 200, patched.text
    refused = await post_reflection(
        client,
        user,
        {
            "went_well": [SECRET] * 21,
            "answers": [{"prompt_key": "did_well", "answer": SECRET * 300}],
        },
    )
    assert_problem(refused, 422)
    read = await client.get(f"/v1/reflections/{created.json()['id']}", headers=user["headers"])
    assert read.status_code == 200, read.text

    assert caplog.records, "expected at least the access log lines"
    assert_not_logged(caplog, SECRET)
