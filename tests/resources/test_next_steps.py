"""Next steps as addressable items: each has a stable id, kept when the list is sent again
without ids, and one step can be changed alone (with the reflection's ETag rules) by
PATCH /v1/reflections/{id}/next-steps/{step_id}; the agenda names the step by its id."""

import uuid

import pytest

from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories_outcomes import create_reflection, sync_token


@pytest.fixture
async def user(client):
    return await register(client, display_name="Ada")


@pytest.fixture
async def reflection(client, user):
    return await create_reflection(
        client,
        user["headers"],
        next_steps=[
            {"text": "Two mock interviews", "due_on": "2026-12-01"},
            {"text": "Ask Dana for a referral"},
        ],
    )


def step_url(reflection, step_id):
    return f"/v1/reflections/{reflection['id']}/next-steps/{step_id}"


def etag(reflection):
    return f'"{uuid.UUID(reflection["id"]).hex}-{reflection["version"]}"'


async def patch_step(client, user, reflection, step_id, body, **headers):
    return await client.patch(
        step_url(reflection, step_id), json=body, headers=user["headers"] | headers
    )


# --- ids ------------------------------------------------------------------------------------


async def test_the_server_names_each_step_it_is_given_without_an_id(reflection):
    ids = [step["id"] for step in reflection["next_steps"]]

    assert len({uuid.UUID(step_id) for step_id in ids}) == 2


async def test_a_step_sent_with_an_id_keeps_it(client, user):
    mine = str(uuid.uuid4())

    created = await create_reflection(
        client, user["headers"], next_steps=[{"id": mine, "text": "Update the CV"}]
    )

    assert created["next_steps"][0]["id"] == mine


async def test_steps_with_and_without_ids_may_be_sent_together(client, user):
    mine = str(uuid.uuid4())

    created = await create_reflection(
        client,
        user["headers"],
        next_steps=[{"text": "Update the CV"}, {"id": mine, "text": "Call Dana"}],
    )

    first, second = created["next_steps"]
    assert second["id"] == mine and uuid.UUID(first["id"]) != uuid.UUID(mine)


async def test_resending_the_list_without_ids_keeps_the_ids_of_the_same_texts(
    client, user, reflection
):
    first, second = reflection["next_steps"]

    response = await client.patch(
        f"/v1/reflections/{reflection['id']}",
        json={
            "next_steps": [
                {"text": "Ask Dana for a referral", "done": True},
                {"text": "Two mock interviews", "due_on": "2026-12-01"},
                {"text": "Read about system design"},
            ]
        },
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    steps = response.json()["next_steps"]
    assert [step["id"] for step in steps[:2]] == [second["id"], first["id"]]
    assert steps[0]["done"] is True
    assert uuid.UUID(steps[2]["id"]) not in {uuid.UUID(first["id"]), uuid.UUID(second["id"])}


async def test_a_new_text_gets_a_new_id(client, user, reflection):
    first, _ = reflection["next_steps"]

    response = await client.patch(
        f"/v1/reflections/{reflection['id']}",
        json={"next_steps": [{"text": "Three mock interviews", "due_on": "2026-12-01"}]},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    [step] = response.json()["next_steps"]
    assert step["id"] != first["id"]


async def test_a_create_resent_with_its_id_is_the_same_reflection(client, user):
    body = {"id": str(uuid.uuid4()), "next_steps": [{"text": "Update the CV"}]}

    first = await client.post("/v1/reflections", json=body, headers=user["headers"])
    again = await client.post("/v1/reflections", json=body, headers=user["headers"])

    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json() == first.json()


async def test_an_id_sent_twice_in_the_list_is_refused_where_it_repeats(client, user):
    twice = str(uuid.uuid4())

    response = await client.post(
        "/v1/reflections",
        json={"next_steps": [{"id": twice, "text": "One"}, {"id": twice, "text": "Two"}]},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"body.next_steps.1.id"}


async def test_a_step_id_must_be_a_uuid(client, user):
    response = await client.post(
        "/v1/reflections",
        json={"next_steps": [{"id": "step-1", "text": "One"}]},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"body.next_steps.0.id"}


# --- one step -------------------------------------------------------------------------------


async def test_patch_one_step_changes_only_it_and_answers_the_reflection(client, user, reflection):
    first, second = reflection["next_steps"]

    response = await patch_step(
        client,
        user,
        reflection,
        second["id"],
        {"done": True, "text": "Ask Dana for an intro", "due_on": "2026-12-10"},
        **{"If-Match": etag(reflection)},
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["next_steps"] == [
        first,
        {"id": second["id"], "text": "Ask Dana for an intro", "due_on": "2026-12-10", "done": True},
    ]
    assert updated["version"] == reflection["version"] + 1
    assert response.headers["etag"] == etag(updated) != etag(reflection)
    got = await client.get(f"/v1/reflections/{reflection['id']}", headers=user["headers"])
    assert got.json() == updated


async def test_due_on_can_be_cleared_and_fields_left_out_stay(client, user, reflection):
    first, _ = reflection["next_steps"]

    response = await patch_step(client, user, reflection, first["id"], {"due_on": None})

    assert response.status_code == 200, response.text
    assert response.json()["next_steps"][0] == first | {"due_on": None}


async def test_a_stale_etag_is_refused_and_nothing_changes(client, user, reflection):
    first, second = reflection["next_steps"]
    stale = etag(reflection)
    changed = await patch_step(client, user, reflection, first["id"], {"done": True})
    assert changed.status_code == 200, changed.text

    response = await patch_step(
        client, user, reflection, second["id"], {"done": True}, **{"If-Match": stale}
    )

    assert_problem(response, 412)
    assert response.headers["etag"] == etag(changed.json())
    got = await client.get(f"/v1/reflections/{reflection['id']}", headers=user["headers"])
    assert got.json()["next_steps"][1]["done"] is False


async def test_an_unknown_step_is_not_found(client, user, reflection):
    response = await patch_step(client, user, reflection, uuid.uuid4(), {"done": True})

    assert "next step" in assert_problem(response, 404)["detail"]


async def test_another_users_reflection_is_not_found(client, user, reflection):
    other = await register(client, email="other@example.com")
    step_id = reflection["next_steps"][0]["id"]

    response = await client.patch(
        step_url(reflection, step_id), json={"done": True}, headers=other["headers"]
    )

    assert_problem(response, 404)
    got = await client.get(f"/v1/reflections/{reflection['id']}", headers=user["headers"])
    assert got.json() == reflection


async def test_a_step_id_in_the_path_must_be_a_uuid(client, user, reflection):
    response = await patch_step(client, user, reflection, "first", {"done": True})

    assert bad_fields(response) == {"path.step_id"}


@pytest.mark.parametrize(("field", "value"), [("done", None), ("text", None), ("text", " ")])
async def test_a_step_keeps_a_text_and_a_done_flag(client, user, reflection, field, value):
    step_id = reflection["next_steps"][0]["id"]

    response = await patch_step(client, user, reflection, step_id, {field: value})

    assert bad_fields(response) == {f"body.{field}"}


async def test_the_id_of_a_step_cannot_be_changed(client, user, reflection):
    step_id = reflection["next_steps"][0]["id"]

    response = await patch_step(client, user, reflection, step_id, {"id": str(uuid.uuid4())})

    assert bad_fields(response) == {"body.id"}


async def test_a_delta_sync_sees_the_change_of_one_step(client, user, reflection):
    token = await sync_token(client, user["headers"], "reflections")
    step_id = reflection["next_steps"][0]["id"]
    await patch_step(client, user, reflection, step_id, {"done": True})

    response = await client.get(
        "/v1/reflections", params={"updated_since": token}, headers=user["headers"]
    )

    assert response.status_code == 200, response.text
    [changed] = response.json()["items"]
    assert changed["id"] == reflection["id"]
    assert changed["next_steps"][0] == {**reflection["next_steps"][0], "done": True}


# --- the agenda -----------------------------------------------------------------------------


async def agenda_steps(client, user):
    response = await client.get("/v1/agenda", params={"horizon_days": 60}, headers=user["headers"])
    assert response.status_code == 200, response.text
    return [item for item in response.json()["items"] if item["kind"].startswith("next_step")]


async def test_the_agenda_names_each_step_and_a_step_marked_done_leaves_it(
    client, user, reflection
):
    first, second = reflection["next_steps"]
    items = await agenda_steps(client, user)
    assert {(item["title"], item["record"]["next_step_id"]) for item in items} == {
        (first["text"], first["id"]),
        (second["text"], second["id"]),
    }
    assert {item["record"]["next_step_index"] for item in items} == {0, 1}

    done = await patch_step(client, user, reflection, first["id"], {"done": True})
    assert done.status_code == 200, done.text
    renamed = await patch_step(client, user, done.json(), second["id"], {"text": "Call Dana"})
    assert renamed.status_code == 200, renamed.text

    [item] = await agenda_steps(client, user)
    assert (item["title"], item["record"]["next_step_id"]) == ("Call Dana", second["id"])
    assert item["record"]["next_step_index"] == 1


# --- export and import ----------------------------------------------------------------------


async def export_of(client, user):
    response = await client.get("/v1/me/export", headers=user["headers"])
    assert response.status_code == 200, response.text
    return response.json()


async def import_into(client, user, document):
    response = await client.post("/v1/me/import", json=document, headers=user["headers"])
    assert response.status_code == 200, response.text
    return response.json()


async def test_step_ids_survive_an_export_imported_elsewhere(client, user, reflection):
    document = await export_of(client, user)
    other = await register(client, email="other@example.com")

    await import_into(client, other, document)

    [restored] = (await export_of(client, other))["reflections"]
    assert restored["next_steps"] == reflection["next_steps"]


async def test_steps_an_older_export_lists_without_ids_get_them_and_keep_them(
    client, user, reflection
):
    document = await export_of(client, user)
    for step in document["reflections"][0]["next_steps"]:
        del step["id"]
    other = await register(client, email="other@example.com")

    await import_into(client, other, document)
    [restored] = (await export_of(client, other))["reflections"]
    again = await import_into(client, other, document)

    ids = [uuid.UUID(step["id"]) for step in restored["next_steps"]]
    assert len(set(ids)) == 2
    assert again["unchanged"]["reflections"] == 1  # matched by text: the same ids
    [after] = (await export_of(client, other))["reflections"]
    assert after["next_steps"] == restored["next_steps"]
