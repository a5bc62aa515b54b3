"""Applications: CRUD, validation, client ids, ETags, keyset pagination, filters and sorts."""

import uuid
from datetime import datetime
from typing import Any

import pytest

from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories import create_application

FULL = {
    "company": "Globex",
    "role_title": "Staff Engineer",
    "job_url": "https://globex.example/jobs/42",
    "location": "Berlin",
    "work_mode": "hybrid",
    "source": "referral",
    "referrer": "Hank",
    "salary_min": 80000,
    "salary_max": 95000,
    "currency": "EUR",
    "stage": "interviewing",
    "applied_on": "2026-10-01",
    "interest": 5,
    "notes": "Met the team at a meetup.",
    "tags": ["backend", "python"],
}


def timestamp(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


MAX_PAGES = 50


async def list_all(client, headers, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, following next_cursor to the end."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_PAGES):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/applications", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the list never ends: its cursors lead back to pages already read")


# --- CRUD -----------------------------------------------------------------------------------


async def test_create_with_every_field_returns_it_with_location_and_etag(client):
    user = await register(client)

    response = await client.post("/v1/applications", json=FULL, headers=user["headers"])

    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in FULL} == FULL
    assert body["version"] == 1
    assert body["deleted_at"] is None
    assert body["created_at"] == body["updated_at"]
    timestamp(body["created_at"])
    uuid.UUID(body["id"])
    assert response.headers["location"] == f"/v1/applications/{body['id']}"
    assert response.headers["etag"] == f'"{uuid.UUID(body["id"]).hex}-1"'


async def test_minimal_create_fills_in_the_defaults(client):
    user = await register(client)

    response = await client.post(
        "/v1/applications",
        json={"company": "Acme", "role_title": "Engineer"},
        headers=user["headers"],
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["source"] == "other"
    assert body["stage"] == "applied"
    assert body["interest"] == 3
    assert body["tags"] == []
    for name in (
        "job_url",
        "location",
        "work_mode",
        "referrer",
        "salary_min",
        "salary_max",
        "currency",
        "applied_on",
        "notes",
    ):
        assert body[name] is None, name


async def test_get_returns_the_record_with_its_etag(client):
    user = await register(client)
    created = await create_application(client, user["headers"], **FULL)

    response = await client.get(f"/v1/applications/{created['id']}", headers=user["headers"])

    assert response.status_code == 200
    assert response.json() == created
    assert response.headers["etag"] == f'"{uuid.UUID(created["id"]).hex}-1"'


async def test_list_returns_the_callers_applications(client):
    user = await register(client)
    first = await create_application(client, user["headers"], company="One")
    second = await create_application(client, user["headers"], company="Two")

    response = await client.get("/v1/applications", headers=user["headers"])

    assert response.status_code == 200
    page = response.json()
    assert page["items"] == [second, first]  # most recently changed first
    assert page["next_cursor"] is None
    assert isinstance(page["sync_token"], str) and page["sync_token"]


async def test_patch_changes_only_the_fields_sent(client):
    user = await register(client)
    created = await create_application(client, user["headers"], **FULL)

    response = await client.patch(
        f"/v1/applications/{created['id']}",
        json={"interest": 2, "tags": ["remote"]},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        **created,
        "interest": 2,
        "tags": ["remote"],
        "version": 2,
        "updated_at": body["updated_at"],
    }
    assert timestamp(body["updated_at"]) > timestamp(created["updated_at"])
    assert body["created_at"] == created["created_at"]
    assert response.headers["etag"] == f'"{uuid.UUID(created["id"]).hex}-2"'
    again = await client.get(f"/v1/applications/{created['id']}", headers=user["headers"])
    assert again.json() == body


async def test_patch_with_nothing_new_keeps_the_version(client):
    user = await register(client)
    created = await create_application(client, user["headers"], interest=4)

    response = await client.patch(
        f"/v1/applications/{created['id']}", json={"interest": 4}, headers=user["headers"]
    )

    assert response.status_code == 200, response.text
    assert response.json() == created


async def test_delete_answers_204_then_the_record_is_gone(client):
    user = await register(client)
    created = await create_application(client, user["headers"])

    response = await client.delete(f"/v1/applications/{created['id']}", headers=user["headers"])

    assert response.status_code == 204
    assert response.content == b""
    gone = await client.get(f"/v1/applications/{created['id']}", headers=user["headers"])
    assert_problem(gone, 404)
    listed = await client.get("/v1/applications", headers=user["headers"])
    assert listed.json()["items"] == []
    again = await client.delete(f"/v1/applications/{created['id']}", headers=user["headers"])
    assert_problem(again, 404)
    patched = await client.patch(
        f"/v1/applications/{created['id']}", json={"notes": "x"}, headers=user["headers"]
    )
    assert_problem(patched, 404)


async def test_an_unknown_id_is_404_and_a_malformed_one_422(client):
    user = await register(client)

    missing = await client.get(f"/v1/applications/{uuid.uuid4()}", headers=user["headers"])
    malformed = await client.get("/v1/applications/not-a-uuid", headers=user["headers"])

    assert_problem(missing, 404)
    assert bad_fields(malformed) == {"path.record_id"}


# --- validation ----------------------------------------------------------------------------


def without(name: str) -> dict[str, Any]:
    return {k: v for k, v in FULL.items() if k != name}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(without("company"), "body.company", id="missing-company"),
        pytest.param(without("role_title"), "body.role_title", id="missing-role"),
        pytest.param({**FULL, "company": "   "}, "body.company", id="blank-company"),
        pytest.param({**FULL, "company": ""}, "body.company", id="empty-company"),
        pytest.param({**FULL, "company": "x" * 201}, "body.company", id="long-company"),
        pytest.param({**FULL, "role_title": "x" * 201}, "body.role_title", id="long-role"),
        pytest.param({**FULL, "stage": "hired"}, "body.stage", id="bad-stage"),
        pytest.param({**FULL, "source": "magic"}, "body.source", id="bad-source"),
        pytest.param({**FULL, "work_mode": "moon"}, "body.work_mode", id="bad-work-mode"),
        pytest.param({**FULL, "interest": 0}, "body.interest", id="interest-0"),
        pytest.param({**FULL, "interest": 6}, "body.interest", id="interest-6"),
        pytest.param({**FULL, "salary_min": -1}, "body.salary_min", id="negative-salary"),
        pytest.param({**FULL, "currency": "eur"}, "body.currency", id="lowercase-currency"),
        pytest.param({**FULL, "currency": "EURO"}, "body.currency", id="long-currency"),
        pytest.param({**FULL, "job_url": "ftp://x"}, "body.job_url", id="ftp-url"),
        pytest.param({**FULL, "tags": [f"t{i}" for i in range(21)]}, "body.tags", id="21-tags"),
        pytest.param({**FULL, "tags": ["a", "a"]}, "body.tags", id="duplicate-tags"),
        pytest.param({**FULL, "tags": ["x" * 51]}, "body.tags.0", id="long-tag"),
        pytest.param({**FULL, "tags": [""]}, "body.tags.0", id="empty-tag"),
        pytest.param({**FULL, "notes": "x" * 10_001}, "body.notes", id="long-notes"),
        pytest.param({**FULL, "location": "x" * 201}, "body.location", id="long-location"),
        pytest.param({**FULL, "applied_on": "2026-13-01"}, "body.applied_on", id="bad-date"),
        pytest.param({**FULL, "applied_on": "1900-01-01"}, "body.applied_on", id="old-date"),
        pytest.param({**FULL, "nickname": "x"}, "body.nickname", id="unknown-field"),
    ],
)
async def test_create_refuses_an_invalid_field_and_names_it(client, body, field):
    user = await register(client)

    response = await client.post("/v1/applications", json=body, headers=user["headers"])

    assert field in bad_fields(response)
    listed = await client.get("/v1/applications", headers=user["headers"])
    assert listed.json()["items"] == []


async def test_salary_min_above_salary_max_is_refused(client):
    user = await register(client)

    response = await client.post(
        "/v1/applications",
        json={**FULL, "salary_min": 100_000, "salary_max": 90_000},
        headers=user["headers"],
    )

    problem = assert_problem(response, 422)
    assert any("salary_min" in error["message"] for error in problem["errors"]), problem


async def test_validation_errors_never_echo_the_submitted_values(client):
    user = await register(client)
    secret = "very-private-note-" + "z" * 10_000

    response = await client.post(
        "/v1/applications",
        json={**FULL, "notes": secret, "currency": "secretcurrency", "job_url": "ftp://hidden"},
        headers=user["headers"],
    )

    assert bad_fields(response) >= {"body.notes", "body.currency", "body.job_url"}
    for value in ("very-private-note", "secretcurrency", "ftp://hidden"):
        assert value not in response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"company": None}, "body.company", id="company-null"),
        pytest.param({"role_title": None}, "body.role_title", id="role-null"),
        pytest.param({"stage": None}, "body.stage", id="stage-null"),
        pytest.param({"tags": None}, "body.tags", id="tags-null"),
        pytest.param({"interest": None}, "body.interest", id="interest-null"),
        pytest.param({"company": "  "}, "body.company", id="company-blank"),
        pytest.param({"interest": 6}, "body.interest", id="interest-6"),
        pytest.param({"stage": "hired"}, "body.stage", id="bad-stage"),
        pytest.param({"nickname": "x"}, "body.nickname", id="unknown-field"),
        pytest.param({"id": str(uuid.uuid4())}, "body.id", id="id-is-not-patchable"),
    ],
)
async def test_patch_refuses_an_invalid_field_and_leaves_the_record(client, body, field):
    user = await register(client)
    created = await create_application(client, user["headers"], **FULL)

    response = await client.patch(
        f"/v1/applications/{created['id']}", json=body, headers=user["headers"]
    )

    assert field in bad_fields(response)
    again = await client.get(f"/v1/applications/{created['id']}", headers=user["headers"])
    assert again.json() == created


async def test_patch_salary_min_above_salary_max_in_one_body_is_refused(client):
    user = await register(client)
    created = await create_application(client, user["headers"])

    response = await client.patch(
        f"/v1/applications/{created['id']}",
        json={"salary_min": 10, "salary_max": 5},
        headers=user["headers"],
    )

    assert_problem(response, 422)


async def test_patch_salary_min_above_the_stored_salary_max_is_refused(client):
    user = await register(client)
    created = await create_application(client, user["headers"], salary_min=50, salary_max=60)

    response = await client.patch(
        f"/v1/applications/{created['id']}", json={"salary_min": 70}, headers=user["headers"]
    )

    assert_problem(response, 422)


async def test_patch_notes_null_clears_them(client):
    user = await register(client)
    created = await create_application(client, user["headers"], notes="Call back Monday")

    response = await client.patch(
        f"/v1/applications/{created['id']}", json={"notes": None}, headers=user["headers"]
    )

    assert response.status_code == 200, response.text
    assert response.json()["notes"] is None
    assert response.json()["version"] == 2
    again = await client.get(f"/v1/applications/{created['id']}", headers=user["headers"])
    assert again.json()["notes"] is None


# --- client-supplied ids -------------------------------------------------------------------


async def test_a_client_supplied_id_is_kept(client):
    user = await register(client)
    client_id = str(uuid.uuid4())

    response = await client.post(
        "/v1/applications", json={**FULL, "id": client_id}, headers=user["headers"]
    )

    assert response.status_code == 201, response.text
    assert response.json()["id"] == client_id
    assert response.headers["location"] == f"/v1/applications/{client_id}"


async def test_resending_the_same_id_and_body_returns_the_existing_record(client):
    user = await register(client)
    body = {**FULL, "id": str(uuid.uuid4())}
    first = await client.post("/v1/applications", json=body, headers=user["headers"])

    again = await client.post("/v1/applications", json=body, headers=user["headers"])

    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    listed = await client.get("/v1/applications", headers=user["headers"])
    assert len(listed.json()["items"]) == 1


async def test_resending_a_minimal_body_with_the_same_id_returns_the_existing_record(client):
    user = await register(client)
    body = {"id": str(uuid.uuid4()), "company": "Acme", "role_title": "Engineer"}
    first = await client.post("/v1/applications", json=body, headers=user["headers"])
    assert first.status_code == 201, first.text

    again = await client.post("/v1/applications", json=body, headers=user["headers"])

    assert again.status_code == 200, again.text
    assert again.json() == first.json()


async def test_the_same_id_with_another_body_is_a_conflict(client):
    user = await register(client)
    body = {**FULL, "id": str(uuid.uuid4())}
    first = await client.post("/v1/applications", json=body, headers=user["headers"])

    response = await client.post(
        "/v1/applications", json={**body, "company": "Initech"}, headers=user["headers"]
    )

    assert_problem(response, 409)
    again = await client.get(f"/v1/applications/{body['id']}", headers=user["headers"])
    assert again.json() == first.json()


async def test_the_id_of_another_users_record_is_a_fresh_id_and_changes_nothing_of_theirs(
    client,
):
    """Issue 17 #4: a 409 here told bob that alice had a record with this id."""
    owner = await register(client)
    other = await register(client)
    created = await create_application(client, owner["headers"], **FULL)

    response = await client.post(
        "/v1/applications",
        json={"company": "Initech", "role_title": "Analyst", "id": created["id"]},
        headers=other["headers"],
    )

    assert response.status_code == 201, response.text
    assert response.json()["id"] == created["id"]
    assert "Globex" not in response.text
    theirs = await client.get(f"/v1/applications/{created['id']}", headers=other["headers"])
    assert theirs.json()["company"] == "Initech"
    mine = await client.get(f"/v1/applications/{created['id']}", headers=owner["headers"])
    assert mine.json() == created
    deleted = await client.delete(f"/v1/applications/{created['id']}", headers=other["headers"])
    assert deleted.status_code == 204
    assert (
        await client.get(f"/v1/applications/{created['id']}", headers=owner["headers"])
    ).json() == created


# --- ETag, If-None-Match, If-Match ---------------------------------------------------------


async def test_if_none_match_with_the_current_etag_is_304(client):
    user = await register(client)
    created = await create_application(client, user["headers"])
    path = f"/v1/applications/{created['id']}"
    etag = (await client.get(path, headers=user["headers"])).headers["etag"]

    response = await client.get(path, headers={**user["headers"], "If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


async def test_if_none_match_with_an_old_etag_returns_the_new_record(client):
    user = await register(client)
    created = await create_application(client, user["headers"])
    path = f"/v1/applications/{created['id']}"
    old = (await client.get(path, headers=user["headers"])).headers["etag"]
    await client.patch(path, json={"interest": 5}, headers=user["headers"])

    response = await client.get(path, headers={**user["headers"], "If-None-Match": old})

    assert response.status_code == 200
    assert response.json()["interest"] == 5
    assert response.headers["etag"] != old


async def test_patch_with_the_current_etag_succeeds(client):
    user = await register(client)
    created = await create_application(client, user["headers"])
    path = f"/v1/applications/{created['id']}"
    etag = (await client.get(path, headers=user["headers"])).headers["etag"]

    response = await client.patch(
        path, json={"interest": 5}, headers={**user["headers"], "If-Match": etag}
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{uuid.UUID(created["id"]).hex}-2"'


async def test_patch_with_a_stale_etag_is_412_and_changes_nothing(client):
    user = await register(client)
    created = await create_application(client, user["headers"])
    path = f"/v1/applications/{created['id']}"
    stale = (await client.get(path, headers=user["headers"])).headers["etag"]
    current = await client.patch(path, json={"interest": 4}, headers=user["headers"])

    response = await client.patch(
        path, json={"interest": 1}, headers={**user["headers"], "If-Match": stale}
    )

    assert_problem(response, 412)
    assert response.headers["etag"] == current.headers["etag"]
    again = await client.get(path, headers=user["headers"])
    assert again.json() == current.json()


async def test_patch_with_a_weak_etag_is_412(client):
    user = await register(client)
    created = await create_application(client, user["headers"])
    path = f"/v1/applications/{created['id']}"
    etag = (await client.get(path, headers=user["headers"])).headers["etag"]

    response = await client.patch(
        path, json={"interest": 1}, headers={**user["headers"], "If-Match": f"W/{etag}"}
    )

    assert_problem(response, 412)


async def test_delete_with_a_stale_etag_is_412_and_keeps_the_record(client):
    user = await register(client)
    created = await create_application(client, user["headers"])
    path = f"/v1/applications/{created['id']}"
    stale = (await client.get(path, headers=user["headers"])).headers["etag"]
    await client.patch(path, json={"interest": 4}, headers=user["headers"])

    response = await client.delete(path, headers={**user["headers"], "If-Match": stale})

    assert_problem(response, 412)
    assert (await client.get(path, headers=user["headers"])).status_code == 200


async def test_delete_with_the_current_etag_succeeds(client):
    user = await register(client)
    created = await create_application(client, user["headers"])
    path = f"/v1/applications/{created['id']}"
    etag = (await client.get(path, headers=user["headers"])).headers["etag"]

    response = await client.delete(path, headers={**user["headers"], "If-Match": etag})

    assert response.status_code == 204


async def test_if_match_star_or_a_list_naming_the_current_etag_succeeds(client):
    user = await register(client)
    created = await create_application(client, user["headers"])
    path = f"/v1/applications/{created['id']}"
    etag = (await client.get(path, headers=user["headers"])).headers["etag"]

    listed = await client.patch(
        path, json={"interest": 4}, headers={**user["headers"], "If-Match": f'"nope-1", {etag}'}
    )
    starred = await client.patch(
        path, json={"interest": 5}, headers={**user["headers"], "If-Match": "*"}
    )
    deleted = await client.delete(path, headers={**user["headers"], "If-Match": "*"})

    assert listed.status_code == 200, listed.text
    assert starred.status_code == 200, starred.text
    assert starred.json()["version"] == 3
    assert deleted.status_code == 204


# --- pagination ----------------------------------------------------------------------------

SORTS = [
    pytest.param("-updated_at"),
    pytest.param("updated_at"),
    pytest.param("company"),
    pytest.param("-company"),
    pytest.param("applied_on"),
    pytest.param("-applied_on"),
]


@pytest.mark.parametrize("sort", ["-updated_at", "company"])
async def test_pages_of_three_walk_seven_records_exactly_once(client, sort):
    user = await register(client)
    created = {
        (await create_application(client, user["headers"], company=f"Company {i}"))["id"]
        for i in range(7)
    }

    pages = []
    cursor = None
    for _ in range(3):
        params = {"limit": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/applications", params=params, headers=user["headers"])
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = response.json()["next_cursor"]

    assert [len(page["items"]) for page in pages] == [3, 3, 1]
    assert pages[0]["next_cursor"] and pages[1]["next_cursor"]
    assert pages[2]["next_cursor"] is None
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == 7
    assert set(ids) == created


@pytest.mark.parametrize("sort", SORTS)
async def test_walking_pages_gives_the_same_order_as_one_page(client, sort):
    user = await register(client)
    h = user["headers"]
    rows = [
        ("beta", "2026-03-01"),
        ("Alpha", None),
        ("alpha", "2026-01-01"),
        ("Charlie", None),
        ("beta", "2026-03-01"),
        ("delta", None),
        ("Echo", "2026-02-01"),
    ]
    for company, applied_on in rows:
        await create_application(client, h, company=company, applied_on=applied_on)
    whole = await client.get("/v1/applications", params={"sort": sort}, headers=h)

    walked = await list_all(client, h, sort=sort, limit=2)

    assert [item["id"] for item in walked] == [item["id"] for item in whole.json()["items"]]
    assert len(walked) == len(rows)


async def test_an_exact_multiple_of_the_limit_ends_with_a_null_cursor(client):
    user = await register(client)
    for i in range(6):
        await create_application(client, user["headers"], company=f"C{i}")

    first = await client.get(
        "/v1/applications", params={"sort": "company", "limit": 3}, headers=user["headers"]
    )
    second = await client.get(
        "/v1/applications",
        params={"sort": "company", "limit": 3, "cursor": first.json()["next_cursor"]},
        headers=user["headers"],
    )

    assert [len(first.json()["items"]), len(second.json()["items"])] == [3, 3]
    assert second.json()["next_cursor"] is None


@pytest.mark.parametrize(
    "sort",
    [
        "-updated_at",
        "company",
        "-company",
        "applied_on",
    ],
)
async def test_inserts_between_pages_neither_duplicate_nor_drop_the_original_rows(client, sort):
    user = await register(client)
    h = user["headers"]
    names = ["Delta", "alpha", "Echo", "bravo", "Golf", "charlie", "foxtrot"]
    originals = {
        (await create_application(client, h, company=name, applied_on=f"2026-01-{i + 10}"))["id"]
        for i, name in enumerate(names)
    }

    seen: list[str] = []
    cursor = None
    inserted = 0
    for _ in range(MAX_PAGES):
        params = {"limit": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/applications", params=params, headers=h)
        assert response.status_code == 200, response.text
        seen += [item["id"] for item in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
        # Rows that sort before, between and after the ones already read.
        for name, day in (("Aaron", "2026-01-01"), ("Dora", "2026-01-14"), ("Zed", "2026-02-01")):
            await create_application(client, h, company=name, applied_on=day)
            inserted += 1

    assert cursor is None
    assert inserted > 0
    assert len(seen) == len(set(seen))
    assert originals <= set(seen)


async def test_limit_out_of_range_is_422(client):
    user = await register(client)

    for limit in (0, 201, -1):
        response = await client.get(f"/v1/applications?limit={limit}", headers=user["headers"])
        assert bad_fields(response) == {"query.limit"}, limit

    assert (await client.get("/v1/applications?limit=200", headers=user["headers"])).is_success
    assert (await client.get("/v1/applications?limit=1", headers=user["headers"])).is_success


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        "eyJ4IjoxfQ",  # base64 of {"x":1}
        "WzEsMl0",  # base64 of [1,2]
        # base64 of {"m":"list:company","w":1,"v":["a","not-a-uuid"]}
        "eyJtIjoibGlzdDpjb21wYW55IiwidyI6MSwidiI6WyJhIiwibm90LWEtdXVpZCJdfQ",
    ],
)
async def test_a_cursor_the_api_did_not_issue_is_422(client, cursor):
    user = await register(client)
    await create_application(client, user["headers"])

    response = await client.get(
        "/v1/applications", params={"cursor": cursor, "sort": "company"}, headers=user["headers"]
    )

    assert bad_fields(response) == {"query.cursor"}


async def test_a_cursor_from_another_sort_is_422(client):
    user = await register(client)
    for name in ("A", "B", "C"):
        await create_application(client, user["headers"], company=name)
    first = await client.get(
        "/v1/applications", params={"sort": "company", "limit": 1}, headers=user["headers"]
    )
    cursor = first.json()["next_cursor"]
    assert cursor

    response = await client.get(
        "/v1/applications",
        params={"sort": "applied_on", "limit": 1, "cursor": cursor},
        headers=user["headers"],
    )
    same_sort = await client.get(
        "/v1/applications",
        params={"sort": "company", "limit": 1, "cursor": cursor},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"query.cursor"}
    assert same_sort.status_code == 200


async def test_a_list_cursor_is_refused_in_delta_sync(client):
    user = await register(client)
    for name in ("A", "B"):
        await create_application(client, user["headers"], company=name)
    first = await client.get(
        "/v1/applications", params={"sort": "company", "limit": 1}, headers=user["headers"]
    )

    response = await client.get(
        "/v1/applications",
        params={"updated_since": first.json()["sync_token"], "cursor": first.json()["next_cursor"]},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"query.cursor"}


# --- filters -------------------------------------------------------------------------------


async def companies(client, headers, **params: Any) -> list[str]:
    return [item["company"] for item in await list_all(client, headers, **params)]


async def test_filter_by_stage_and_source(client):
    user = await register(client)
    h = user["headers"]
    await create_application(client, h, company="A", stage="applied", source="referral")
    await create_application(client, h, company="B", stage="screening", source="referral")
    await create_application(client, h, company="C", stage="screening", source="job_board")

    assert sorted(await companies(client, h, stage="screening")) == ["B", "C"]
    assert sorted(await companies(client, h, source="referral")) == ["A", "B"]
    assert await companies(client, h, stage="screening", source="referral") == ["B"]
    assert await companies(client, h, stage="offer") == []
    assert bad_fields(await client.get("/v1/applications?stage=hired", headers=h)) == {
        "query.stage"
    }
    assert bad_fields(await client.get("/v1/applications?source=magic", headers=h)) == {
        "query.source"
    }


async def test_filter_by_tag_matches_whole_tags_only(client):
    user = await register(client)
    h = user["headers"]
    await create_application(client, h, company="A", tags=["remote", "python"])
    await create_application(client, h, company="B", tags=["python"])
    await create_application(client, h, company="C", tags=["remote-ish"])
    await create_application(client, h, company="D")
    await create_application(client, h, company="E", tags=['c\'est "ok"'])

    assert sorted(await companies(client, h, tag="python")) == ["A", "B"]
    assert await companies(client, h, tag="remote") == ["A"]
    assert await companies(client, h, tag="pyth") == []
    assert await companies(client, h, tag="%") == []
    assert await companies(client, h, tag='c\'est "ok"') == ["E"]


async def test_q_is_a_case_insensitive_substring_of_company_or_role(client):
    user = await register(client)
    h = user["headers"]
    await create_application(client, h, company="Globex Corp", role_title="Engineer")
    await create_application(client, h, company="Initech", role_title="Data GLOBE analyst")
    await create_application(client, h, company="Acme", role_title="Designer")

    assert sorted(await companies(client, h, q="globe")) == ["Globex Corp", "Initech"]
    assert await companies(client, h, q="CORP") == ["Globex Corp"]
    assert await companies(client, h, q="sign") == ["Acme"]
    assert await companies(client, h, q="nothing") == []


async def test_q_treats_percent_underscore_and_backslash_literally(client):
    user = await register(client)
    h = user["headers"]
    for name in ("100% Remote", "100 Remote", "a_b", "axb", "back\\slash", "backslash"):
        await create_application(client, h, company=name, role_title="Engineer")

    assert await companies(client, h, q="%") == ["100% Remote"]
    assert await companies(client, h, q="0%") == ["100% Remote"]
    assert await companies(client, h, q="_") == ["a_b"]
    assert await companies(client, h, q="a_") == ["a_b"]
    assert await companies(client, h, q="\\") == ["back\\slash"]


async def test_filters_combine_with_pagination(client):
    user = await register(client)
    h = user["headers"]
    for i in range(5):
        await create_application(client, h, company=f"Match {i}", tags=["x"])
        await create_application(client, h, company=f"Other {i}")

    items = await list_all(client, h, tag="x", q="match", sort="company", limit=2)

    assert sorted(item["company"] for item in items) == [f"Match {i}" for i in range(5)]


# --- sorts ---------------------------------------------------------------------------------


async def test_sort_by_company_ignores_case(client):
    user = await register(client)
    h = user["headers"]
    for name in ("beta", "Alpha", "charlie", "Bravo", "alpha"):
        await create_application(client, h, company=name)

    ascending = await companies(client, h, sort="company")
    descending = await companies(client, h, sort="-company")

    assert [name.lower() for name in ascending] == ["alpha", "alpha", "beta", "bravo", "charlie"]
    assert descending == list(reversed(ascending))


async def test_sort_by_applied_on_puts_undated_ones_first(client):
    user = await register(client)
    h = user["headers"]
    await create_application(client, h, company="March", applied_on="2026-03-01")
    await create_application(client, h, company="Undated 1")
    await create_application(client, h, company="January", applied_on="2026-01-01")
    await create_application(client, h, company="Undated 2")
    await create_application(client, h, company="February", applied_on="2026-02-01")

    ascending = await companies(client, h, sort="applied_on")
    descending = await companies(client, h, sort="-applied_on")

    assert sorted(ascending[:2]) == ["Undated 1", "Undated 2"]
    assert ascending[2:] == ["January", "February", "March"]
    assert descending == list(reversed(ascending))


async def test_sort_by_applied_on_orders_dates(client):
    user = await register(client)
    h = user["headers"]
    for company, day in (("March", "2026-03-01"), ("Jan", "2026-01-01"), ("Feb", "2026-02-01")):
        await create_application(client, h, company=company, applied_on=day)

    assert await companies(client, h, sort="applied_on") == ["Jan", "Feb", "March"]
    assert await companies(client, h, sort="-applied_on") == ["March", "Feb", "Jan"]


async def test_sort_by_updated_at_oldest_change_first_and_default_newest_first(client):
    user = await register(client)
    h = user["headers"]
    first = await create_application(client, h, company="First")
    await create_application(client, h, company="Second")
    await create_application(client, h, company="Third")
    await client.patch(f"/v1/applications/{first['id']}", json={"interest": 5}, headers=h)

    oldest_first = await companies(client, h, sort="updated_at")
    default = await companies(client, h)
    newest_first = await companies(client, h, sort="-updated_at")

    assert oldest_first == ["Second", "Third", "First"]
    assert default == newest_first == ["First", "Third", "Second"]


async def test_an_unknown_sort_is_422(client):
    user = await register(client)

    response = await client.get("/v1/applications?sort=salary", headers=user["headers"])

    assert bad_fields(response) == {"query.sort"}
