"""Lists and GET one serialise the columns they read straight from the driver's values (no
response model on the way out): every item must read exactly as the create response, which
goes through the response model, shows the same record, field for field, on both databases."""

from tests.helpers import register
from tests.resources.factories import (
    create_application,
    create_feedback,
    create_interview,
    create_outcome,
    create_reflection,
)


async def _assert_reads_as_the_model_writes(client, headers, collection: str, record_id) -> None:
    # A PATCH that changes nothing answers the current record through the response model.
    modelled = await client.patch(f"/v1/{collection}/{record_id}", json={}, headers=headers)
    assert modelled.status_code == 200, modelled.text
    listed = (await client.get(f"/v1/{collection}", headers=headers)).json()["items"]
    single = await client.get(f"/v1/{collection}/{record_id}", headers=headers)
    assert [item for item in listed if item["id"] == record_id] == [modelled.json()]
    assert single.json() == modelled.json()
    assert list(single.json()) == list(modelled.json())  # the fields in the model's order


async def test_every_field_of_every_resource_lists_as_it_reads(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(
        client,
        h,
        job_url="https://example.com/jobs/1",
        location="Berlin",
        work_mode="hybrid",
        source="referral",
        referrer="Ada",
        salary_min=50_000,
        salary_max=60_000,
        currency="EUR",
        stage="interviewing",
        applied_on="2026-10-01",
        interest=5,
        notes='Quotes " and \\ and unicode: café 🎉',
        tags=["python", "remote"],
    )
    interview = await create_interview(
        client,
        h,
        application["id"],
        scheduled_at="2026-11-01T10:30:00+02:00",  # whole seconds: no fraction in the output
        interviewers=[{"name": "Grace", "role": "CTO"}, {"name": "Linus"}],
        self_rating=4,
    )
    outcome = await create_outcome(
        client,
        h,
        application["id"],
        kind="offer",
        channel="email",
        reasons=[{"key": "stronger_candidate", "source": "stated"}],
        feedback_offered=True,
        disappointment=0,
        offer_salary=55_000,
        offer_deadline="2026-12-01",
    )
    feedback = await create_feedback(
        client,
        h,
        application["id"],
        outcome_id=outcome["id"],
        status="scheduled",
        scheduled_at="2026-11-24T09:15:30.123456Z",
        answers=[{"question_key": "prepare_better", "answer": "More examples."}],
        trust="partly",
        stay_in_touch=True,
        follow_up_on="2027-01-15",
    )
    reflection = await create_reflection(
        client,
        h,
        outcome_id=outcome["id"],
        mood=7,
        went_well=["rapport"],
        next_steps=[{"text": "Mock interview", "due_on": "2026-12-01", "done": False}],
    )
    for collection, record in [
        ("applications", application),
        ("interviews", interview),
        ("outcomes", outcome),
        ("feedback-conversations", feedback),
        ("reflections", reflection),
    ]:
        await _assert_reads_as_the_model_writes(client, h, collection, record["id"])


async def test_tombstones_in_a_delta_read_like_the_record_did(client):
    user = await register(client)
    h = user["headers"]
    application = await create_application(client, h, tags=["a"])
    token = (await client.get("/v1/applications", headers=h)).json()["sync_token"]
    await client.delete(f"/v1/applications/{application['id']}", headers=h)
    delta = await client.get("/v1/applications", params={"updated_since": token}, headers=h)
    [tombstone] = delta.json()["items"]
    assert tombstone["deleted_at"].endswith("Z")
    assert tombstone["version"] == application["version"] + 1
    assert {
        k: v for k, v in tombstone.items() if k not in {"deleted_at", "updated_at", "version"}
    } == {k: v for k, v in application.items() if k not in {"deleted_at", "updated_at", "version"}}
