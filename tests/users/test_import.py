"""POST /v1/me/import: an export restored into an account gives back the same export; a second
import changes nothing; dry_run writes nothing; a bad document or reference refuses it all."""

import copy
import uuid
from typing import Any

import httpx
import pytest

from app.users.export import EXPORT_FORMAT, EXPORT_VERSION, RESOURCES
from app.users.importing import IMPORT_ORDER, ImportDocument
from tests.helpers import PASSWORD, assert_problem, bad_fields, register

# What an import does not carry over (documented in app/users/importing.py).
RECORD_SERVER_FIELDS = {"updated_at", "version"}
COLLECTIONS = (*IMPORT_ORDER, "timeline")


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: Any) -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def seed_everything(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """One of each record, with most fields filled, linked the way a real user links them."""
    application = await post(
        client,
        "/v1/applications",
        {
            "company": "Globex",
            "role_title": "Platform engineer",
            "job_url": "https://globex.example/jobs/1",
            "location": "Berlin",
            "work_mode": "hybrid",
            "source": "referral",
            "referrer": "Sam",
            "salary_min": 70000,
            "salary_max": 90000,
            "currency": "EUR",
            "stage": "applied",
            "applied_on": "2026-10-01",
            "interest": 5,
            "notes": "Dream team.",
            "tags": ["platform", "berlin"],
        },
        headers,
    )
    app_id = application["id"]
    other = await post(
        client, "/v1/applications", {"company": "Initech", "role_title": "SRE"}, headers
    )
    response = await client.patch(
        f"/v1/applications/{app_id}", json={"stage": "interviewing"}, headers=headers
    )
    assert response.status_code == 200, response.text
    await post(
        client,
        "/v1/interviews",
        {
            "application_id": app_id,
            "kind": "technical",
            "scheduled_at": "2026-10-10T09:30:00Z",
            "interviewers": [{"name": "Ana", "role": "Staff engineer"}, {"name": "Bo"}],
            "self_rating": 4,
            "notes": "System design went well.",
        },
        headers,
    )
    outcome = await post(
        client,
        "/v1/outcomes",
        {
            "application_id": app_id,
            "kind": "rejection",
            "received_on": "2026-10-20",
            "channel": "email",
            "stated_reason": "Another candidate had more Go.",
            "reasons": [
                {"key": "experience_gap", "source": "stated"},
                {"key": "chemistry", "source": "suspected"},
            ],
            "feedback_offered": True,
            "disappointment": 7,
        },
        headers,
    )
    contact = await post(
        client,
        "/v1/contacts",
        {"name": "Dana", "relationship": "recruiter", "application_ids": [app_id]},
        headers,
    )
    await post(
        client,
        "/v1/feedback-conversations",
        {
            "application_id": app_id,
            "outcome_id": outcome["id"],
            "contact_id": contact["id"],
            "channel": "video",
            "status": "completed",
            "completed_on": "2026-10-25",
            "answers": [{"question_key": "prepare_better", "answer": "More Go."}],
            "trust": "genuine",
            "stay_in_touch": True,
            "follow_up_on": "2027-01-15",
        },
        headers,
    )
    await post(
        client,
        "/v1/reflections",
        {
            "outcome_id": outcome["id"],
            "answers": [{"prompt_key": "did_well", "answer": "Stayed calm."}],
            "went_well": ["design round"],
            "to_improve": ["Go"],
            "gratitude": ["Dana's honesty"],
            "mood": 4,
            "diagnosis": "on_paper",
            "still_want_similar_roles": "yes",
            "next_steps": [{"text": "Build a Go service", "due_on": "2026-12-01"}],
        },
        headers,
    )
    await post(client, "/v1/reflections", {"application_id": other["id"], "mood": 6}, headers)
    response = await client.patch(
        "/v1/me",
        json={"display_name": "Riley", "timezone": "Europe/Berlin", "weekly_goal": 5},
        headers=headers,
    )
    assert response.status_code == 200, response.text


async def export(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/v1/me/export", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def import_(
    client: httpx.AsyncClient, headers: dict[str, str], document: dict[str, Any], **params: Any
) -> httpx.Response:
    return await client.post("/v1/me/import", json=document, params=params, headers=headers)


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The export without what an import does not keep: exported_at, the profile's identity
    and timestamps, and each record's updated_at and version."""
    profile = document["profile"]
    return {
        "profile": {k: profile[k] for k in ("display_name", "timezone", "weekly_goal")},
        **{
            name: [
                {k: v for k, v in item.items() if k not in RECORD_SERVER_FIELDS}
                for item in document[name]
            ]
            for name in COLLECTIONS
        },
    }


def zero() -> dict[str, int]:
    return dict.fromkeys((*COLLECTIONS, "profile"), 0)


def sizes(document: dict[str, Any]) -> dict[str, int]:
    return {**zero(), **{name: len(document[name]) for name in COLLECTIONS}}


async def moved_account(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, str]]:
    """A user's export, their account erased (its ids are free again), and a new account."""
    old = await register(client)
    await seed_everything(client, old["headers"])
    document = await export(client, old["headers"])
    response = await client.request(
        "DELETE", "/v1/me", json={"password": PASSWORD}, headers=old["headers"]
    )
    assert response.status_code == 204, response.text
    new = await register(client)
    return document, new["headers"]


async def test_an_export_imported_into_a_new_account_exports_the_same(client):
    document, headers = await moved_account(client)

    response = await import_(client, headers, document)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "dry_run": False,
        "created": sizes(document),
        "updated": {**zero(), "profile": 1},
        "unchanged": zero(),
        "skipped": {"timeline": 0},
    }
    again = await export(client, headers)
    assert comparable(again) == comparable(document)
    assert all(item["version"] == 1 for name in IMPORT_ORDER for item in again[name])
    assert again["profile"]["email"] != document["profile"]["email"]
    # The records are the caller's through every route, not only the export.
    app_id = document["applications"][0]["id"]
    response = await client.get(f"/v1/applications/{app_id}/timeline", headers=headers)
    assert [e["to_stage"] for e in response.json()["items"]] == [
        "applied",
        "interviewing",
        "rejected",
    ]


async def test_importing_twice_reports_everything_unchanged_and_writes_nothing(client):
    document, headers = await moved_account(client)
    first = await import_(client, headers, document)
    assert first.status_code == 200, first.text
    before = await export(client, headers)
    token = (await client.get("/v1/applications", headers=headers)).json()["sync_token"]

    response = await import_(client, headers, document)

    assert response.status_code == 200, response.text
    assert response.json()["created"] == zero()
    assert response.json()["updated"] == zero()
    assert response.json()["unchanged"] == {**sizes(document), "profile": 1}
    after = await export(client, headers)
    assert {k: v for k, v in after.items() if k != "exported_at"} == {
        k: v for k, v in before.items() if k != "exported_at"
    }
    response = await client.get(
        "/v1/applications", params={"updated_since": token}, headers=headers
    )
    assert response.json()["items"] == []


async def test_importing_its_own_export_changes_nothing(client):
    user = await register(client)
    await seed_everything(client, user["headers"])
    document = await export(client, user["headers"])

    response = await import_(client, user["headers"], document)

    assert response.status_code == 200, response.text
    assert response.json()["unchanged"] == {**sizes(document), "profile": 1}


async def test_an_import_updates_changed_records_and_brings_back_deleted_ones(client):
    user = await register(client)
    h = user["headers"]
    await seed_everything(client, h)
    document = await export(client, h)
    application = document["applications"][1]
    await client.patch(f"/v1/applications/{application['id']}", json={"notes": "x"}, headers=h)
    interview = document["interviews"][0]
    assert (await client.delete(f"/v1/interviews/{interview['id']}", headers=h)).status_code == 204
    token = (await client.get("/v1/interviews", headers=h)).json()["sync_token"]

    response = await import_(client, h, document)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["updated"]["applications"] == 1 and body["updated"]["interviews"] == 1
    assert body["created"] == zero()
    restored = await client.get(f"/v1/interviews/{interview['id']}", headers=h)
    assert restored.status_code == 200
    assert restored.json()["version"] == interview["version"] + 2  # deleted, then restored
    changes = await client.get("/v1/interviews", params={"updated_since": token}, headers=h)
    assert [item["id"] for item in changes.json()["items"]] == [interview["id"]]
    assert comparable(await export(client, h)) == comparable(document)


async def test_a_dry_run_counts_the_same_and_writes_nothing(client):
    document, headers = await moved_account(client)

    response = await import_(client, headers, document, dry_run="true")

    assert response.status_code == 200, response.text
    dry = response.json()
    assert dry["dry_run"] is True
    assert dry["created"] == sizes(document)
    empty = await export(client, headers)
    assert all(empty[name] == [] for name in COLLECTIONS)
    assert empty["profile"]["display_name"] is None
    real = (await import_(client, headers, document)).json()
    assert {**real, "dry_run": True} == dry


async def test_another_accounts_export_imports_as_records_of_ones_own(client):
    """Issue 17 #4: ids are per account. Importing another account's export (same ids) gave
    409 "This id belongs to another account on this server"; now it imports, and the owner's
    records are untouched."""
    owner = await register(client)
    await seed_everything(client, owner["headers"])
    document = await export(client, owner["headers"])
    caller = await register(client)

    response = await import_(client, caller["headers"], document)

    assert response.status_code == 200, response.text
    assert response.json()["created"] == sizes(document)
    assert comparable(await export(client, caller["headers"])) == comparable(document)
    owners = await export(client, owner["headers"])
    assert {name: owners[name] for name in COLLECTIONS} == {
        name: document[name] for name in COLLECTIONS
    }


async def test_a_timeline_entry_citing_another_accounts_outcome_is_refused(client):
    """Issue 17 #7: the entry was stored and exported, naming an outcome the caller never had."""
    stranger = await register(client)
    await seed_everything(client, stranger["headers"])
    strangers_outcome = (await export(client, stranger["headers"]))["outcomes"][0]["id"]
    document, headers = await moved_account(client)
    forged = copy.deepcopy(document)
    cited = next(i for i, e in enumerate(forged["timeline"]) if e["outcome_id"] is not None)
    forged["outcomes"] = [o for o in forged["outcomes"] if o["id"] != strangers_outcome]
    forged["timeline"][cited]["outcome_id"] = strangers_outcome

    response = await import_(client, headers, forged)

    body = assert_problem(response, 422)
    assert body["type"].endswith("/reference-not-found")
    assert [e["field"] for e in body["errors"]] == [f"body.timeline.{cited}.outcome_id"]
    nothing = await export(client, headers)
    assert all(nothing[name] == [] for name in COLLECTIONS)


@pytest.mark.parametrize(
    ("where", "moment"),
    [
        ("applications", "9999-12-31T00:00:00Z"),
        ("applications", "1969-12-31T23:59:59Z"),
        ("timeline", "2999-01-01T00:00:00Z"),
    ],
)
async def test_a_time_before_1970_or_after_tomorrow_is_refused(client, where, moment):
    """Issue 17 #10: an import could set created_at to 9999-12-31."""
    document, headers = await moved_account(client)
    broken = copy.deepcopy(document)
    field = "changed_at" if where == "timeline" else "created_at"
    broken[where][0][field] = moment

    response = await import_(client, headers, broken)

    assert bad_fields(response) == {f"body.{where}.0.{field}"}
    nothing = await export(client, headers)
    assert all(nothing[name] == [] for name in COLLECTIONS)


async def test_a_reference_to_a_record_that_is_nowhere_is_refused(client):
    document, headers = await moved_account(client)
    broken = copy.deepcopy(document)
    broken["interviews"][0]["application_id"] = str(uuid.uuid4())

    response = await import_(client, headers, broken)

    body = assert_problem(response, 422)  # as POST /v1/interviews answers
    assert body["type"].endswith("/reference-not-found")
    assert [e["field"] for e in body["errors"]] == ["body.interviews.0.application_id"]
    nothing = await export(client, headers)
    assert all(nothing[name] == [] for name in COLLECTIONS)


async def test_a_reference_to_the_callers_own_record_is_accepted(client):
    user = await register(client)
    h = user["headers"]
    application = await post(client, "/v1/applications", {"company": "A", "role_title": "B"}, h)
    interview_id = str(uuid.uuid4())
    document = {
        "format": "rebound-export",
        "version": 1,
        "interviews": [
            {
                "id": interview_id,
                "application_id": application["id"],
                "kind": "panel",
                "created_at": "2026-09-01T08:00:00Z",
                "updated_at": "2026-09-02T08:00:00Z",
                "version": 3,
            }
        ],
    }

    response = await import_(client, h, document)

    assert response.status_code == 200, response.text
    assert response.json()["created"]["interviews"] == 1
    interview = (await client.get(f"/v1/interviews/{interview_id}", headers=h)).json()
    assert interview["created_at"] == "2026-09-01T08:00:00Z" and interview["version"] == 1


async def test_timeline_entries_of_applications_not_in_the_document_are_skipped(client):
    document, headers = await moved_account(client)
    document["applications"] = document["applications"][1:]  # as if deleted before the export
    removed = {r["id"] for r in (await export(client, headers))["applications"]}
    kept = {a["id"] for a in document["applications"]} | removed
    for name in ("interviews", "outcomes", "feedback_conversations"):
        document[name] = []
    document["reflections"] = [r for r in document["reflections"] if r["application_id"] in kept]
    for contact in document["contacts"]:
        contact["application_ids"] = []
    orphans = sum(1 for e in document["timeline"] if e["application_id"] not in kept)

    response = await import_(client, headers, document)

    assert response.status_code == 200, response.text
    assert orphans > 0 and response.json()["skipped"] == {"timeline": orphans}


async def test_bad_documents_are_refused_with_the_fields_named(client):
    user = await register(client)
    h = user["headers"]
    base = {"format": "rebound-export", "version": 1}
    app_item = {
        "id": str(uuid.uuid4()),
        "company": "A",
        "role_title": "B",
        "created_at": "2026-09-01T08:00:00Z",
        "updated_at": "2026-09-01T08:00:00Z",
        "version": 1,
    }

    assert bad_fields(await import_(client, h, {**base, "format": "csv"})) == {"body.format"}
    assert bad_fields(await import_(client, h, {**base, "version": 2})) == {"body.version"}
    assert bad_fields(await import_(client, h, {"version": 1})) == {"body.format"}
    assert bad_fields(await import_(client, h, {**base, "extra": 1})) == {"body.extra"}
    naive = {**app_item, "created_at": "2026-09-01T08:00:00"}
    assert bad_fields(await import_(client, h, {**base, "applications": [naive]})) == {
        "body.applications.0.created_at"
    }
    salaries = {**app_item, "salary_min": 9, "salary_max": 1}  # what POST would refuse too
    assert bad_fields(await import_(client, h, {**base, "applications": [salaries]})) == {
        "body.applications.0"
    }
    lax = {**app_item, "interest": "5", "applied_on": 0}  # typed as POST bodies are
    assert bad_fields(await import_(client, h, {**base, "applications": [lax]})) == {
        "body.applications.0.interest",
        "body.applications.0.applied_on",
    }
    unknown = {**app_item, "owner": "someone"}
    assert bad_fields(await import_(client, h, {**base, "applications": [unknown]})) == {
        "body.applications.0.owner"
    }
    tombstone = {**app_item, "deleted_at": "2026-09-02T08:00:00Z"}
    assert bad_fields(await import_(client, h, {**base, "applications": [tombstone]})) == {
        "body.applications.0.deleted_at"
    }
    zone = {"profile": {**user["user"], "timezone": "Mars/Olympus"}}
    assert bad_fields(await import_(client, h, {**base, **zone})) == {"body.profile.timezone"}
    assert (await export(client, h))["applications"] == []


async def test_a_record_listed_twice_counts_once_unless_the_copies_differ(client):
    user = await register(client)
    h = user["headers"]
    item = {
        "id": str(uuid.uuid4()),
        "company": "A",
        "role_title": "B",
        "created_at": "2026-09-01T08:00:00Z",
        "updated_at": "2026-09-01T08:00:00Z",
        "version": 1,
    }
    base = {"format": "rebound-export", "version": 1}

    response = await import_(client, h, {**base, "applications": [item, {**item, "version": 4}]})

    assert response.status_code == 200, response.text
    assert response.json()["created"]["applications"] == 1
    differing = [item, {**item, "company": "Other"}]
    body = assert_problem(await import_(client, h, {**base, "applications": differing}), 409)
    assert [e["field"] for e in body["errors"]] == ["body.applications.1.id"]


async def test_import_needs_a_token(client):
    response = await client.post("/v1/me/import", json={"format": "rebound-export", "version": 1})
    assert_problem(response, 401)


def test_the_import_reads_every_collection_the_export_writes():
    assert set(IMPORT_ORDER) == set(RESOURCES)
    assert set(ImportDocument.model_fields) >= {*RESOURCES, "timeline", "profile"}
    assert (EXPORT_FORMAT, EXPORT_VERSION) == ("rebound-export", 1)
