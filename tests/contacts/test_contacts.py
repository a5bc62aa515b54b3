"""Contacts: CRUD, validation, links to applications, client ids, ETags, pagination, filters."""

import uuid
from typing import Any

import pytest

from tests.contacts.factories import FULL, create_contact, list_contacts
from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories import create_application

# --- CRUD -----------------------------------------------------------------------------------


async def test_create_with_every_field_returns_it_with_location_and_etag(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    body = {**FULL, "application_ids": [application["id"]]}

    response = await client.post("/v1/contacts", json=body, headers=user["headers"])

    assert response.status_code == 201, response.text
    created = response.json()
    assert {k: created[k] for k in body} == body
    assert created["version"] == 1
    assert created["deleted_at"] is None
    assert created["created_at"] == created["updated_at"]
    assert response.headers["location"] == f"/v1/contacts/{created['id']}"
    assert response.headers["etag"] == f'"{uuid.UUID(created["id"]).hex}-1"'


async def test_a_name_alone_is_enough_and_the_rest_has_defaults(client):
    user = await register(client)

    response = await client.post("/v1/contacts", json={"name": "Sam"}, headers=user["headers"])

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["relationship"] == "other"
    assert body["links"] == body["tags"] == body["application_ids"] == []
    for name in (
        "role",
        "company",
        "email",
        "phone",
        "notes",
        "last_contacted_on",
        "next_follow_up_on",
    ):
        assert body[name] is None, name


async def test_get_and_list_show_the_same_record(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    created = await create_contact(
        client, user["headers"], **{**FULL, "application_ids": [application["id"]]}
    )

    got = await client.get(f"/v1/contacts/{created['id']}", headers=user["headers"])
    listed = await client.get("/v1/contacts", headers=user["headers"])

    assert got.status_code == 200
    assert got.json() == created
    assert got.headers["etag"] == f'"{uuid.UUID(created["id"]).hex}-1"'
    assert listed.json()["items"] == [got.json()]  # rendered by the database, same shape


async def test_patch_changes_only_the_fields_sent(client):
    user = await register(client)
    created = await create_contact(client, user["headers"], **FULL)

    response = await client.patch(
        f"/v1/contacts/{created['id']}",
        json={"relationship": "referrer", "tags": ["warm"], "next_follow_up_on": None},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        **created,
        "relationship": "referrer",
        "tags": ["warm"],
        "next_follow_up_on": None,
        "version": 2,
        "updated_at": body["updated_at"],
    }
    assert body["updated_at"] > created["updated_at"]
    again = await client.get(f"/v1/contacts/{created['id']}", headers=user["headers"])
    assert again.json() == body


async def test_patch_with_nothing_new_keeps_the_version(client):
    user = await register(client)
    created = await create_contact(client, user["headers"], **FULL)

    response = await client.patch(
        f"/v1/contacts/{created['id']}",
        json={"name": FULL["name"], "tags": FULL["tags"]},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    assert response.json() == created


async def test_delete_answers_204_then_the_contact_is_gone(client):
    user = await register(client)
    created = await create_contact(client, user["headers"])
    path = f"/v1/contacts/{created['id']}"

    response = await client.delete(path, headers=user["headers"])

    assert response.status_code == 204
    assert_problem(await client.get(path, headers=user["headers"]), 404)
    assert_problem(await client.patch(path, json={"notes": "x"}, headers=user["headers"]), 404)
    assert_problem(await client.delete(path, headers=user["headers"]), 404)
    assert await list_contacts(client, user["headers"]) == []


async def test_an_unknown_id_is_404_and_a_malformed_one_422(client):
    user = await register(client)

    missing = await client.get(f"/v1/contacts/{uuid.uuid4()}", headers=user["headers"])
    malformed = await client.get("/v1/contacts/not-a-uuid", headers=user["headers"])

    assert assert_problem(missing, 404)["detail"].startswith("No contact with this id")
    assert bad_fields(malformed) == {"path.record_id"}


async def test_every_route_requires_a_token(client):
    user = await register(client)
    created = await create_contact(client, user["headers"])
    path = f"/v1/contacts/{created['id']}"

    for method, url, body in [
        ("POST", "/v1/contacts", {"name": "X"}),
        ("GET", "/v1/contacts", None),
        ("GET", path, None),
        ("PATCH", path, {"notes": "x"}),
        ("DELETE", path, None),
    ]:
        assert_problem(await client.request(method, url, json=body), 401)


# --- validation ----------------------------------------------------------------------------


def without(name: str) -> dict[str, Any]:
    return {k: v for k, v in FULL.items() if k != name}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(without("name"), "body.name", id="missing-name"),
        pytest.param({**FULL, "name": ""}, "body.name", id="empty-name"),
        pytest.param({**FULL, "name": "   "}, "body.name", id="blank-name"),
        pytest.param({**FULL, "name": "x" * 201}, "body.name", id="long-name"),
        pytest.param({**FULL, "role": "x" * 201}, "body.role", id="long-role"),
        pytest.param({**FULL, "company": "x" * 201}, "body.company", id="long-company"),
        pytest.param({**FULL, "email": "dana-at-globex"}, "body.email", id="bad-email"),
        pytest.param({**FULL, "phone": "call me maybe"}, "body.phone", id="letters-in-phone"),
        pytest.param({**FULL, "phone": "12"}, "body.phone", id="short-phone"),
        pytest.param({**FULL, "phone": "1" * 41}, "body.phone", id="long-phone"),
        pytest.param({**FULL, "links": ["ftp://dana.example"]}, "body.links.0", id="ftp-link"),
        pytest.param({**FULL, "links": ["javascript:alert(1)"]}, "body.links.0", id="js-link"),
        pytest.param({**FULL, "links": ["dana.example"]}, "body.links.0", id="bare-link"),
        pytest.param(
            {**FULL, "links": [f"https://x.example/{i}" for i in range(11)]},
            "body.links",
            id="11-links",
        ),
        pytest.param({**FULL, "relationship": "friend"}, "body.relationship", id="bad-relation"),
        pytest.param({**FULL, "relationship": None}, "body.relationship", id="null-relation"),
        pytest.param({**FULL, "notes": "x" * 10_001}, "body.notes", id="long-notes"),
        pytest.param({**FULL, "tags": ["a", "a"]}, "body.tags", id="duplicate-tags"),
        pytest.param({**FULL, "tags": [f"t{i}" for i in range(21)]}, "body.tags", id="21-tags"),
        pytest.param(
            {**FULL, "next_follow_up_on": "2026-02-30"}, "body.next_follow_up_on", id="bad-date"
        ),
        pytest.param(
            {**FULL, "last_contacted_on": "1900-01-01"}, "body.last_contacted_on", id="old-date"
        ),
        pytest.param(
            {**FULL, "application_ids": ["not-a-uuid"]}, "body.application_ids.0", id="bad-app-id"
        ),
        pytest.param(
            {**FULL, "application_ids": [str(uuid.uuid4()) for _ in range(51)]},
            "body.application_ids",
            id="51-applications",
        ),
        pytest.param({**FULL, "nickname": "D"}, "body.nickname", id="unknown-field"),
        pytest.param({**FULL, "user_id": str(uuid.uuid4())}, "body.user_id", id="user-id"),
        pytest.param({**FULL, "version": 7}, "body.version", id="version"),
    ],
)
async def test_create_refuses_an_invalid_field_and_names_it(client, body, field):
    user = await register(client)

    response = await client.post("/v1/contacts", json=body, headers=user["headers"])

    assert field in bad_fields(response)
    assert await list_contacts(client, user["headers"]) == []


async def test_ten_links_are_accepted(client):
    user = await register(client)
    links = [f"https://x.example/{i}" for i in range(10)]

    created = await create_contact(client, user["headers"], links=links)

    assert created["links"] == links


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"name": None}, "body.name", id="name-null"),
        pytest.param({"name": " "}, "body.name", id="name-blank"),
        pytest.param({"relationship": None}, "body.relationship", id="relationship-null"),
        pytest.param({"links": None}, "body.links", id="links-null"),
        pytest.param({"tags": None}, "body.tags", id="tags-null"),
        pytest.param({"application_ids": None}, "body.application_ids", id="applications-null"),
        pytest.param({"links": ["mailto:dana@x.example"]}, "body.links.0", id="mailto-link"),
        pytest.param({"email": "nope"}, "body.email", id="bad-email"),
        pytest.param({"nickname": "D"}, "body.nickname", id="unknown-field"),
        pytest.param({"id": str(uuid.uuid4())}, "body.id", id="id-is-not-patchable"),
    ],
)
async def test_patch_refuses_an_invalid_field_and_leaves_the_contact(client, body, field):
    user = await register(client)
    created = await create_contact(client, user["headers"], **FULL)

    response = await client.patch(
        f"/v1/contacts/{created['id']}", json=body, headers=user["headers"]
    )

    assert field in bad_fields(response)
    again = await client.get(f"/v1/contacts/{created['id']}", headers=user["headers"])
    assert again.json() == created


async def test_optional_fields_can_be_cleared_with_null(client):
    user = await register(client)
    created = await create_contact(client, user["headers"], **FULL)
    cleared = ("role", "company", "email", "phone", "notes", "last_contacted_on")

    response = await client.patch(
        f"/v1/contacts/{created['id']}",
        json=dict.fromkeys(cleared),
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    assert {name: response.json()[name] for name in cleared} == dict.fromkeys(cleared)


async def test_validation_errors_never_echo_the_submitted_values(client):
    user = await register(client)

    response = await client.post(
        "/v1/contacts",
        json={**FULL, "email": "secret-address", "phone": "secret-phone", "links": ["secret"]},
        headers=user["headers"],
    )

    assert bad_fields(response) >= {"body.email", "body.phone", "body.links.0"}
    assert "secret" not in response.text


# --- linked applications -------------------------------------------------------------------


async def test_links_to_applications_are_kept_in_order_each_once(client):
    user = await register(client)
    first = await create_application(client, user["headers"], company="One")
    second = await create_application(client, user["headers"], company="Two")
    ids = [second["id"], first["id"], second["id"].upper()]

    created = await create_contact(client, user["headers"], application_ids=ids)

    assert created["application_ids"] == [second["id"], first["id"]]
    listed = await list_contacts(client, user["headers"])
    assert listed == [created]


async def test_an_unknown_application_is_422_and_nothing_is_created(client):
    user = await register(client)
    application = await create_application(client, user["headers"])

    response = await client.post(
        "/v1/contacts",
        json={"name": "Dana", "application_ids": [application["id"], str(uuid.uuid4())]},
        headers=user["headers"],
    )

    problem = assert_problem(response, 422)
    assert problem["type"].endswith("/reference-not-found")
    assert [error["field"] for error in problem["errors"]] == ["body.application_ids.1"]
    assert await list_contacts(client, user["headers"]) == []


async def test_a_deleted_application_cannot_be_linked(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    await client.delete(f"/v1/applications/{application['id']}", headers=user["headers"])
    created = await create_contact(client, user["headers"])

    posted = await client.post(
        "/v1/contacts",
        json={"name": "Dana", "application_ids": [application["id"]]},
        headers=user["headers"],
    )
    patched = await client.patch(
        f"/v1/contacts/{created['id']}",
        json={"application_ids": [application["id"]]},
        headers=user["headers"],
    )

    # 422 on both: a 404 would say the URL is wrong, and on the contact's own URL that the
    # contact is gone; only the id in the body is.
    for response in (posted, patched):
        assert assert_problem(response, 422)["type"].endswith("/reference-not-found")
        assert [error["field"] for error in response.json()["errors"]] == ["body.application_ids.0"]


async def test_patch_links_another_application_and_drops_one(client):
    user = await register(client)
    first = await create_application(client, user["headers"], company="One")
    second = await create_application(client, user["headers"], company="Two")
    created = await create_contact(client, user["headers"], application_ids=[first["id"]])

    response = await client.patch(
        f"/v1/contacts/{created['id']}",
        json={"application_ids": [second["id"]]},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    assert response.json()["application_ids"] == [second["id"]]
    assert response.json()["version"] == 2


async def test_patch_with_an_unknown_application_is_422_and_changes_nothing(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    created = await create_contact(client, user["headers"], application_ids=[application["id"]])

    response = await client.patch(
        f"/v1/contacts/{created['id']}",
        json={"application_ids": [application["id"], str(uuid.uuid4())], "notes": "x"},
        headers=user["headers"],
    )

    assert assert_problem(response, 422)["type"].endswith("/reference-not-found")
    again = await client.get(f"/v1/contacts/{created['id']}", headers=user["headers"])
    assert again.json() == created


# --- client-supplied ids and Idempotency-Key ------------------------------------------------


async def test_a_client_supplied_id_is_kept_and_a_resend_returns_the_contact(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    body = {**FULL, "id": str(uuid.uuid4()), "application_ids": [application["id"]]}

    first = await client.post("/v1/contacts", json=body, headers=user["headers"])
    again = await client.post("/v1/contacts", json=body, headers=user["headers"])
    other = await client.post(
        "/v1/contacts", json={**body, "name": "Someone Else"}, headers=user["headers"]
    )

    assert first.status_code == 201, first.text
    assert first.json()["id"] == body["id"]
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert_problem(other, 409)
    assert len(await list_contacts(client, user["headers"])) == 1


async def test_a_resend_with_a_repeated_application_id_is_the_same_body(client):
    user = await register(client)
    application = await create_application(client, user["headers"])
    body = {"id": str(uuid.uuid4()), "name": "Dana", "application_ids": [application["id"]] * 2}

    first = await client.post("/v1/contacts", json=body, headers=user["headers"])
    again = await client.post("/v1/contacts", json=body, headers=user["headers"])

    assert first.status_code == 201, first.text
    assert again.status_code == 200, again.text


async def test_another_users_id_is_a_fresh_id_and_reveals_nothing(client):
    """Issue 17 #4: ids are per account, so another account's id creates a record here."""
    owner = await register(client)
    other = await register(client)
    created = await create_contact(client, owner["headers"], **FULL)

    response = await client.post(
        "/v1/contacts", json={"name": "Eve", "id": created["id"]}, headers=other["headers"]
    )

    assert response.status_code == 201, response.text
    assert FULL["email"] not in response.text
    assert [c["name"] for c in await list_contacts(client, other["headers"])] == ["Eve"]
    assert [c["name"] for c in await list_contacts(client, owner["headers"])] == [FULL["name"]]


async def test_the_same_idempotency_key_replays_the_first_response(client):
    user = await register(client)
    headers = {**user["headers"], "Idempotency-Key": "contact-dana-1"}

    first = await client.post("/v1/contacts", json=FULL, headers=headers)
    second = await client.post("/v1/contacts", json=FULL, headers=headers)
    other = await client.post("/v1/contacts", json={**FULL, "name": "Eve"}, headers=headers)

    assert first.status_code == second.status_code == 201, first.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert other.status_code in (409, 422)
    assert len(await list_contacts(client, user["headers"])) == 1


# --- ETag, If-None-Match, If-Match ---------------------------------------------------------


async def test_if_none_match_with_the_current_etag_is_304(client):
    user = await register(client)
    created = await create_contact(client, user["headers"])
    path = f"/v1/contacts/{created['id']}"
    etag = (await client.get(path, headers=user["headers"])).headers["etag"]

    response = await client.get(path, headers={**user["headers"], "If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["etag"] == etag


async def test_patch_and_delete_honour_if_match(client):
    user = await register(client)
    created = await create_contact(client, user["headers"])
    path = f"/v1/contacts/{created['id']}"
    stale = (await client.get(path, headers=user["headers"])).headers["etag"]
    current = await client.patch(
        path, json={"notes": "first"}, headers={**user["headers"], "If-Match": stale}
    )
    assert current.status_code == 200, current.text

    refused_patch = await client.patch(
        path, json={"notes": "second"}, headers={**user["headers"], "If-Match": stale}
    )
    refused_delete = await client.delete(path, headers={**user["headers"], "If-Match": stale})

    assert_problem(refused_patch, 412)
    assert_problem(refused_delete, 412)
    assert (await client.get(path, headers=user["headers"])).json() == current.json()
    deleted = await client.delete(
        path, headers={**user["headers"], "If-Match": current.headers["etag"]}
    )
    assert deleted.status_code == 204


# --- pagination ----------------------------------------------------------------------------


async def test_pages_walk_every_contact_once_newest_change_first(client):
    user = await register(client)
    ids = [(await create_contact(client, user["headers"], name=f"C{i}"))["id"] for i in range(7)]

    first = await client.get("/v1/contacts", params={"limit": 3}, headers=user["headers"])
    walked = await list_contacts(client, user["headers"], limit=3)

    assert len(first.json()["items"]) == 3
    assert first.json()["next_cursor"]
    assert [item["id"] for item in walked] == list(reversed(ids))


async def test_inserts_between_pages_neither_duplicate_nor_drop_contacts(client):
    user = await register(client)
    originals = {
        (await create_contact(client, user["headers"], name=f"C{i}"))["id"] for i in range(5)
    }
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}

    for _ in range(20):
        page = (await client.get("/v1/contacts", params=params, headers=user["headers"])).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
        await create_contact(client, user["headers"], name="Newcomer")

    assert len(seen) == len(set(seen))
    assert originals <= set(seen)


async def test_limit_out_of_range_and_a_foreign_cursor_are_422(client):
    user = await register(client)

    for limit in (0, 201):
        response = await client.get(f"/v1/contacts?limit={limit}", headers=user["headers"])
        assert bad_fields(response) == {"query.limit"}
    garbage = await client.get("/v1/contacts?cursor=garbage", headers=user["headers"])
    assert bad_fields(garbage) == {"query.cursor"}


# --- filters -------------------------------------------------------------------------------


async def names(client, headers, **params: Any) -> list[str]:
    return sorted(item["name"] for item in await list_contacts(client, headers, **params))


async def test_filter_by_relationship(client):
    user = await register(client)
    h = user["headers"]
    await create_contact(client, h, name="Rita", relationship="recruiter")
    await create_contact(client, h, name="Ivan", relationship="interviewer")
    await create_contact(client, h, name="Rob", relationship="recruiter")

    assert await names(client, h, relationship="recruiter") == ["Rita", "Rob"]
    assert await names(client, h, relationship="peer") == []
    bad = await client.get("/v1/contacts?relationship=friend", headers=h)
    assert bad_fields(bad) == {"query.relationship"}


async def test_filter_by_application(client):
    user = await register(client)
    h = user["headers"]
    acme = await create_application(client, h, company="Acme")
    globex = await create_application(client, h, company="Globex")
    await create_contact(client, h, name="Both", application_ids=[acme["id"], globex["id"]])
    await create_contact(client, h, name="Acme only", application_ids=[acme["id"]])
    await create_contact(client, h, name="Neither")

    assert await names(client, h, application_id=acme["id"]) == ["Acme only", "Both"]
    assert await names(client, h, application_id=globex["id"]) == ["Both"]
    assert await names(client, h, application_id=acme["id"].upper()) == ["Acme only", "Both"]
    assert await names(client, h, application_id=str(uuid.uuid4())) == []
    bad = await client.get("/v1/contacts?application_id=nope", headers=h)
    assert bad_fields(bad) == {"query.application_id"}


async def test_filter_by_tag_matches_whole_tags_only(client):
    user = await register(client)
    h = user["headers"]
    await create_contact(client, h, name="A", tags=["berlin", "warm"])
    await create_contact(client, h, name="B", tags=["berlin-ish"])
    await create_contact(client, h, name="C", tags=['it\'s "quoted"'])

    assert await names(client, h, tag="berlin") == ["A"]
    assert await names(client, h, tag="warm") == ["A"]
    assert await names(client, h, tag="berl") == []
    assert await names(client, h, tag='it\'s "quoted"') == ["C"]


async def test_q_is_a_case_insensitive_substring_of_name_or_company(client):
    user = await register(client)
    h = user["headers"]
    await create_contact(client, h, name="Dana Reyes", company="Globex")
    await create_contact(client, h, name="Globe Trotter")
    await create_contact(client, h, name="Sam", company="Initech", role="Globex alumnus")

    assert await names(client, h, q="GLOBE") == ["Dana Reyes", "Globe Trotter"]
    assert await names(client, h, q="reyes") == ["Dana Reyes"]
    assert await names(client, h, q="alumnus") == []  # role is not searched


async def test_q_treats_percent_underscore_and_backslash_literally(client):
    user = await register(client)
    h = user["headers"]
    for name in ("100% Dana", "100 Dana", "a_b", "axb", "back\\slash", "backslash"):
        await create_contact(client, h, name=name)

    assert await names(client, h, q="%") == ["100% Dana"]
    assert await names(client, h, q="_") == ["a_b"]
    assert await names(client, h, q="\\") == ["back\\slash"]


async def test_filters_combine_with_pagination(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h)
    for i in range(5):
        await create_contact(
            client,
            h,
            name=f"Match {i}",
            relationship="recruiter",
            tags=["x"],
            application_ids=[application["id"]],
        )
        await create_contact(client, h, name=f"Match other {i}", relationship="peer", tags=["x"])

    found = await names(
        client,
        h,
        relationship="recruiter",
        tag="x",
        q="match",
        application_id=application["id"],
        limit=2,
    )

    assert found == [f"Match {i}" for i in range(5)]


async def test_deleting_an_application_unlinks_it_from_contacts(client):
    user = await register(client)
    h = user["headers"]
    kept = (
        await client.post("/v1/applications", json={"company": "A", "role_title": "R"}, headers=h)
    ).json()
    gone = (
        await client.post("/v1/applications", json={"company": "B", "role_title": "R"}, headers=h)
    ).json()
    contact = (
        await client.post(
            "/v1/contacts",
            json={"name": "Ada", "application_ids": [kept["id"], gone["id"]]},
            headers=h,
        )
    ).json()
    token = (await client.get("/v1/contacts", headers=h)).json()["sync_token"]

    assert (await client.delete(f"/v1/applications/{gone['id']}", headers=h)).status_code == 204

    after = (await client.get(f"/v1/contacts/{contact['id']}", headers=h)).json()
    assert after["application_ids"] == [kept["id"]]
    assert after["version"] == contact["version"] + 1
    delta = (await client.get("/v1/contacts", params={"updated_since": token}, headers=h)).json()
    assert [item["id"] for item in delta["items"]] == [contact["id"]]
