"""Outcomes: recording what the company decided, with the reasons the user knows or suspects,
and the stage move and timeline line each outcome leaves on its application."""

import uuid

import pytest

from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories_outcomes import (
    create_application,
    create_outcome,
    sync_token,
)

KINDS_TO_STAGES = [
    ("offer", "offer"),
    ("rejection", "rejected"),
    ("on_hold", "on_hold"),
    ("withdrawn", "withdrawn"),
    ("ghosted", "ghosted"),
]
ALL_REASON_KEYS = [
    "stronger_candidate",
    "unclear_requirements",
    "headcount_or_budget",
    "chemistry",
    "culture_fit",
    "communication",
    "role_mismatch",
    "low_enthusiasm",
    "experience_gap",
    "no_inside_advocate",
]


@pytest.fixture
async def user(client):
    return await register(client, display_name="Ada")


@pytest.fixture
async def application(client, user):
    return await create_application(client, user["headers"])


async def post_outcome(client, user, application, **fields):
    body = {
        "application_id": application["id"],
        "kind": "rejection",
        "received_on": "2026-11-20",
        **fields,
    }
    return await client.post("/v1/outcomes", json=body, headers=user["headers"])


async def timeline(client, user, application_id):
    response = await client.get(
        f"/v1/applications/{application_id}/timeline", headers=user["headers"]
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


# --- create and read ------------------------------------------------------------------------


async def test_create_returns_the_outcome_with_location_and_etag(client, user, application):
    response = await post_outcome(
        client,
        user,
        application,
        channel="phone",
        stated_reason="We went with someone who had more Kafka experience.",
        reasons=[
            {"key": "stronger_candidate", "source": "stated"},
            {"key": "chemistry", "source": "suspected"},
        ],
        feedback_offered=True,
        disappointment=7,
    )

    assert response.status_code == 201, response.text
    outcome = response.json()
    assert response.headers["location"] == f"/v1/outcomes/{outcome['id']}"
    assert response.headers["etag"] == f'"{uuid.UUID(outcome["id"]).hex}-1"'
    assert outcome["application_id"] == application["id"]
    assert outcome["kind"] == "rejection"
    assert outcome["received_on"] == "2026-11-20"
    assert outcome["channel"] == "phone"
    assert outcome["stated_reason"] == "We went with someone who had more Kafka experience."
    assert outcome["reasons"] == [
        {"key": "stronger_candidate", "source": "stated"},
        {"key": "chemistry", "source": "suspected"},
    ]
    assert outcome["feedback_offered"] is True
    assert outcome["disappointment"] == 7
    assert outcome["offer_salary"] is None and outcome["offer_deadline"] is None
    assert outcome["version"] == 1 and outcome["deleted_at"] is None


async def test_defaults_of_a_minimal_outcome(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])

    assert outcome["reasons"] == []
    assert outcome["feedback_offered"] is False
    assert outcome["channel"] is None
    assert outcome["disappointment"] is None


async def test_get_returns_the_stored_outcome(client, user, application):
    outcome = await create_outcome(
        client,
        user["headers"],
        application["id"],
        reasons=[{"key": "chemistry", "source": "stated"}],
    )

    response = await client.get(f"/v1/outcomes/{outcome['id']}", headers=user["headers"])

    assert response.status_code == 200, response.text
    assert response.json() == outcome
    assert response.headers["etag"] == f'"{uuid.UUID(outcome["id"]).hex}-1"'


async def test_resending_the_same_client_id_and_body_returns_the_outcome(client, user, application):
    body = {
        "id": str(uuid.uuid4()),
        "application_id": application["id"],
        "kind": "offer",
        "received_on": "2026-11-20",
        "reasons": [{"key": "culture_fit", "source": "suspected"}],
        "offer_salary": 85_000,
    }
    first = await client.post("/v1/outcomes", json=body, headers=user["headers"])
    assert first.status_code == 201, first.text

    again = await client.post("/v1/outcomes", json=body, headers=user["headers"])
    other = await client.post(
        "/v1/outcomes",
        json={**body, "kind": "rejection", "offer_salary": None},
        headers=user["headers"],
    )

    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert_problem(other, 409)
    assert len(await timeline(client, user, application["id"])) == 2


async def test_application_of_another_user_is_not_found(client, user):
    other = await register(client)
    foreign = await create_application(client, other["headers"])

    response = await post_outcome(client, user, foreign)

    assert bad_fields(response) == {"body.application_id"}


async def test_unknown_application_is_not_found(client, user):
    response = await post_outcome(client, user, {"id": str(uuid.uuid4())})

    assert assert_problem(response, 422)["type"].endswith("/reference-not-found")
    assert bad_fields(response) == {"body.application_id"}


async def test_outcome_of_another_user_is_not_found(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])
    other = await register(client)

    for method in ("GET", "DELETE"):
        response = await client.request(
            method, f"/v1/outcomes/{outcome['id']}", headers=other["headers"]
        )
        assert_problem(response, 404)
    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}", json={"disappointment": 1}, headers=other["headers"]
    )
    assert_problem(response, 404)


async def test_unknown_field_is_rejected(client, user, application):
    response = await post_outcome(client, user, application, mood=3)

    assert bad_fields(response) == {"body.mood"}


# --- update and delete ----------------------------------------------------------------------


async def test_patch_changes_only_the_given_fields(client, user, application):
    outcome = await create_outcome(
        client, user["headers"], application["id"], channel="email", disappointment=8
    )

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}",
        json={"disappointment": 4, "reasons": [{"key": "experience_gap", "source": "stated"}]},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["disappointment"] == 4
    assert updated["reasons"] == [{"key": "experience_gap", "source": "stated"}]
    assert updated["channel"] == "email"
    assert updated["version"] == 2
    assert response.headers["etag"] == f'"{uuid.UUID(outcome["id"]).hex}-2"'


async def test_patch_with_stale_if_match_is_refused(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])
    stale = f'"{uuid.UUID(outcome["id"]).hex}-1"'
    await client.patch(
        f"/v1/outcomes/{outcome['id']}", json={"disappointment": 2}, headers=user["headers"]
    )

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}",
        json={"disappointment": 3},
        headers={**user["headers"], "If-Match": stale},
    )

    assert_problem(response, 412)


async def test_delete_hides_the_outcome(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])

    response = await client.delete(f"/v1/outcomes/{outcome['id']}", headers=user["headers"])

    assert response.status_code == 204, response.text
    assert_problem(await client.get(f"/v1/outcomes/{outcome['id']}", headers=user["headers"]), 404)
    listed = await client.get("/v1/outcomes", headers=user["headers"])
    assert listed.json()["items"] == []


async def test_deleting_the_latest_outcome_reverts_the_stage(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"], kind="ghosted")

    await client.delete(f"/v1/outcomes/{outcome['id']}", headers=user["headers"])

    response = await client.get(f"/v1/applications/{application['id']}", headers=user["headers"])
    assert response.json()["stage"] == "applied"


# --- reasons --------------------------------------------------------------------------------


async def test_unknown_reason_key_is_named(client, user, application):
    response = await post_outcome(
        client,
        user,
        application,
        reasons=[{"key": "bad_luck", "source": "suspected"}],
    )

    assert bad_fields(response) == {"body.reasons.0.key"}


async def test_unknown_reason_key_in_second_place_is_named(client, user, application):
    response = await post_outcome(
        client,
        user,
        application,
        reasons=[{"key": "chemistry", "source": "stated"}, {"key": "nope", "source": "stated"}],
    )

    assert bad_fields(response) == {"body.reasons.1.key"}


async def test_duplicate_reason_key_is_refused(client, user, application):
    response = await post_outcome(
        client,
        user,
        application,
        reasons=[
            {"key": "chemistry", "source": "stated"},
            {"key": "chemistry", "source": "suspected"},
        ],
    )

    assert bad_fields(response) == {"body.reasons"}


@pytest.mark.parametrize("source", ["stated", "suspected"])
async def test_reason_sources_accepted(client, user, application, source):
    response = await post_outcome(
        client, user, application, reasons=[{"key": "communication", "source": source}]
    )

    assert response.status_code == 201, response.text
    assert response.json()["reasons"] == [{"key": "communication", "source": source}]


@pytest.mark.parametrize("source", ["known", "", None, "STATED"])
async def test_reason_source_must_be_stated_or_suspected(client, user, application, source):
    response = await post_outcome(
        client, user, application, reasons=[{"key": "communication", "source": source}]
    )

    assert bad_fields(response) == {"body.reasons.0.source"}


async def test_reason_source_is_required(client, user, application):
    response = await post_outcome(client, user, application, reasons=[{"key": "communication"}])

    assert bad_fields(response) == {"body.reasons.0.source"}


async def test_every_taxonomy_key_at_once_is_accepted(client, user, application):
    reasons = [{"key": key, "source": "suspected"} for key in ALL_REASON_KEYS]

    response = await post_outcome(client, user, application, reasons=reasons)

    assert response.status_code == 201, response.text
    assert response.json()["reasons"] == reasons


async def test_more_than_ten_reasons_are_refused(client, user, application):
    reasons = [{"key": key, "source": "suspected"} for key in ALL_REASON_KEYS]
    reasons.append({"key": "chemistry", "source": "stated"})

    response = await post_outcome(client, user, application, reasons=reasons)

    assert bad_fields(response) == {"body.reasons"}


async def test_patch_validates_reasons_too(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}",
        json={"reasons": [{"key": "bad_luck", "source": "stated"}]},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"body.reasons.0.key"}


# --- required and bounded fields -------------------------------------------------------------


async def test_received_on_is_required(client, user, application):
    response = await client.post(
        "/v1/outcomes",
        json={"application_id": application["id"], "kind": "rejection"},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"body.received_on"}


async def test_received_on_cannot_be_cleared(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}", json={"received_on": None}, headers=user["headers"]
    )

    assert bad_fields(response) == {"body.received_on"}


async def test_received_on_must_be_a_date(client, user, application):
    response = await post_outcome(client, user, application, received_on="last tuesday")

    assert bad_fields(response) == {"body.received_on"}


async def test_kind_must_be_known(client, user, application):
    response = await post_outcome(client, user, application, kind="maybe")

    assert bad_fields(response) == {"body.kind"}


@pytest.mark.parametrize("disappointment", [0, 5, 10])
async def test_disappointment_within_zero_to_ten(client, user, application, disappointment):
    response = await post_outcome(client, user, application, disappointment=disappointment)

    assert response.status_code == 201, response.text
    assert response.json()["disappointment"] == disappointment


@pytest.mark.parametrize("disappointment", [-1, 11, 100])
async def test_disappointment_outside_zero_to_ten(client, user, application, disappointment):
    response = await post_outcome(client, user, application, disappointment=disappointment)

    assert bad_fields(response) == {"body.disappointment"}


# --- offer fields ---------------------------------------------------------------------------


async def test_offer_carries_its_offer_fields(client, user, application):
    response = await post_outcome(
        client,
        user,
        application,
        kind="offer",
        offer_salary=85_000,
        offer_deadline="2026-12-01",
    )

    assert response.status_code == 201, response.text
    assert response.json()["offer_salary"] == 85_000
    assert response.json()["offer_deadline"] == "2026-12-01"


@pytest.mark.parametrize("kind", ["rejection", "on_hold", "withdrawn", "ghosted"])
async def test_offer_salary_only_for_offers(client, user, application, kind):
    response = await post_outcome(client, user, application, kind=kind, offer_salary=85_000)

    assert bad_fields(response) == {"body.offer_salary"}


async def test_offer_deadline_only_for_offers(client, user, application):
    response = await post_outcome(client, user, application, offer_deadline="2026-12-01")

    assert bad_fields(response) == {"body.offer_deadline"}


async def test_refused_offer_fields_leave_the_application_alone(client, user, application):
    await post_outcome(client, user, application, offer_salary=85_000)

    response = await client.get(f"/v1/applications/{application['id']}", headers=user["headers"])
    assert response.json()["stage"] == "applied"
    assert len(await timeline(client, user, application["id"])) == 1


async def test_patch_offer_salary_on_a_rejection_is_refused(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}", json={"offer_salary": 90_000}, headers=user["headers"]
    )

    assert bad_fields(response) == {"body.offer_salary"}


async def test_patch_offer_fields_on_an_offer(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"], kind="offer")

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}",
        json={"offer_salary": 90_000, "offer_deadline": "2026-12-15"},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    assert response.json()["offer_salary"] == 90_000
    assert response.json()["offer_deadline"] == "2026-12-15"


async def test_changing_an_offer_into_a_rejection_clears_offer_fields(client, user, application):
    outcome = await create_outcome(
        client,
        user["headers"],
        application["id"],
        kind="offer",
        offer_salary=85_000,
        offer_deadline="2026-12-01",
    )

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}", json={"kind": "rejection"}, headers=user["headers"]
    )

    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "rejection"
    assert response.json()["offer_salary"] is None
    assert response.json()["offer_deadline"] is None
    stored = await client.get(f"/v1/outcomes/{outcome['id']}", headers=user["headers"])
    assert stored.json()["offer_salary"] is None and stored.json()["offer_deadline"] is None


async def test_changing_kind_away_from_offer_with_a_salary_is_refused(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"], kind="offer")

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}",
        json={"kind": "rejection", "offer_salary": 85_000},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"body.offer_salary"}


async def test_changing_kind_away_from_offer_while_resending_its_salary_is_refused(
    client, user, application
):
    outcome = await create_outcome(
        client, user["headers"], application["id"], kind="offer", offer_salary=85_000
    )

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}",
        json={"kind": "rejection", "offer_salary": 85_000},
        headers=user["headers"],
    )

    assert bad_fields(response) == {"body.offer_salary"}


async def test_changing_a_rejection_into_an_offer_accepts_offer_fields(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])

    response = await client.patch(
        f"/v1/outcomes/{outcome['id']}",
        json={"kind": "offer", "offer_salary": 85_000},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    assert response.json()["offer_salary"] == 85_000


# --- stage and timeline ---------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "stage"), KINDS_TO_STAGES)
async def test_outcome_moves_the_application_stage(client, user, application, kind, stage):
    outcome = await create_outcome(client, user["headers"], application["id"], kind=kind)

    response = await client.get(f"/v1/applications/{application['id']}", headers=user["headers"])
    assert response.json()["stage"] == stage
    entries = await timeline(client, user, application["id"])
    assert len(entries) == 2
    assert entries[-1]["from_stage"] == "applied"
    assert entries[-1]["to_stage"] == stage
    assert entries[-1]["cause"] == "outcome"
    assert entries[-1]["outcome_id"] == outcome["id"]


async def test_changing_the_kind_moves_the_stage_again(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"], kind="on_hold")

    await client.patch(
        f"/v1/outcomes/{outcome['id']}", json={"kind": "rejection"}, headers=user["headers"]
    )

    response = await client.get(f"/v1/applications/{application['id']}", headers=user["headers"])
    assert response.json()["stage"] == "rejected"
    last = (await timeline(client, user, application["id"]))[-1]
    assert (last["from_stage"], last["to_stage"]) == ("on_hold", "rejected")
    assert last["cause"] == "outcome" and last["outcome_id"] == outcome["id"]


async def test_patch_without_a_kind_change_leaves_the_timeline(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])

    await client.patch(
        f"/v1/outcomes/{outcome['id']}", json={"disappointment": 3}, headers=user["headers"]
    )

    assert len(await timeline(client, user, application["id"])) == 2


# --- lists, filters and sync ----------------------------------------------------------------


async def test_filter_by_application_id(client, user, application):
    other_application = await create_application(client, user["headers"], company="Globex")
    mine = await create_outcome(client, user["headers"], application["id"])
    await create_outcome(client, user["headers"], other_application["id"])

    response = await client.get(
        f"/v1/outcomes?application_id={application['id']}", headers=user["headers"]
    )

    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]


async def test_filter_by_kind(client, user, application):
    other_application = await create_application(client, user["headers"], company="Globex")
    offer = await create_outcome(client, user["headers"], application["id"], kind="offer")
    await create_outcome(client, user["headers"], other_application["id"], kind="rejection")

    response = await client.get("/v1/outcomes?kind=offer", headers=user["headers"])

    assert [item["id"] for item in response.json()["items"]] == [offer["id"]]


async def test_filter_by_unknown_kind_is_refused(client, user):
    response = await client.get("/v1/outcomes?kind=maybe", headers=user["headers"])

    assert bad_fields(response) == {"query.kind"}


async def test_list_shows_only_own_outcomes(client, user, application):
    mine = await create_outcome(client, user["headers"], application["id"])
    other = await register(client)
    await create_outcome(
        client, other["headers"], (await create_application(client, other["headers"]))["id"]
    )

    response = await client.get("/v1/outcomes", headers=user["headers"])

    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]


async def test_deleting_the_application_tombstones_its_outcomes(client, user, application):
    outcome = await create_outcome(client, user["headers"], application["id"])
    token = await sync_token(client, user["headers"], "outcomes")

    response = await client.delete(f"/v1/applications/{application['id']}", headers=user["headers"])

    assert response.status_code == 204, response.text
    synced = await client.get(f"/v1/outcomes?updated_since={token}", headers=user["headers"])
    items = synced.json()["items"]
    assert [item["id"] for item in items] == [outcome["id"]]
    assert items[0]["deleted_at"] is not None
    assert items[0]["version"] == 2
    assert_problem(await client.get(f"/v1/outcomes/{outcome['id']}", headers=user["headers"]), 404)
    assert (await client.get("/v1/outcomes", headers=user["headers"])).json()["items"] == []
