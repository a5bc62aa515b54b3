"""The intake routes as a client meets them: a pasted email or a posting in, drafts out, the
caller's applications matched, nothing written, kept or logged, limits of their own."""

import logging
import uuid

import pytest
from sqlalchemy import text

from tests.helpers import assert_problem, bad_fields, client_of, register
from tests.resources.factories import create_application

REJECTION = """\
From: Globex Talent <talent@globex.example>
Subject: Your application for Platform engineer

Hi Sam,

Thank you for interviewing for the Platform engineer role at Globex. Unfortunately we have
decided not to move forward, as we are looking for someone with more hands-on experience
running Kubernetes in production.

We'd be happy to share feedback if you would like: just reply to this email.

Best regards,
Dana Park
Globex Talent Team
"""

INVITATION = """\
From: Globex Talent <talent@globex.example>
Subject: Interview invitation: Platform engineer

Hi Sam,

We would like to invite you to a technical interview for the Platform engineer position at
Globex. Could you let us know which of the following times works for you next week?

Best regards,
Dana
"""

ACKNOWLEDGEMENT = """\
From: Globex Careers <no-reply@globex.example>
Subject: We have received your application

Dear Sam, thank you for applying to Globex. We have received your application for the
Platform engineer role and will review it carefully. If your profile matches, we will be in
touch.
"""

POSTING = """\
<html><head><title>Platform engineer - Globex</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "JobPosting", "title": "Platform engineer",
 "hiringOrganization": {"@type": "Organization", "name": "Globex"},
 "jobLocation": {"@type": "Place", "address": {"addressLocality": "Berlin",
   "addressCountry": "DE"}},
 "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR", "value": {
   "@type": "QuantitativeValue", "minValue": 80000, "maxValue": 95000, "unitText": "YEAR"}},
 "description": "<p>Run our platform.</p><ul><li>Kubernetes</li><li>Go</li></ul>"}
</script></head><body><h1>Platform engineer</h1></body></html>
"""
POSTING_URL = "https://boards.greenhouse.io/globex/jobs/4242?gh_src=linkedin"


async def read(client, headers, path, body, **kwargs):
    response = await client.post(f"/v1/intake/{path}", json=body, headers=headers, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_pasted_rejection_becomes_an_outcome_of_the_right_application(client):
    user = await register(client)
    headers = user["headers"]
    globex = await create_application(
        client, headers, company="Globex GmbH", role_title="Platform engineer"
    )
    await create_application(client, headers, company="Initech", role_title="SRE")

    reading = await read(
        client, headers, "message", {"text": REJECTION, "received_on": "2026-11-20"}
    )

    assert reading["kind"] == "rejection"
    assert reading["language"] == "en"
    assert reading["company"] == "Globex"
    assert [m["id"] for m in reading["matched_applications"]][:1] == [globex["id"]]
    assert reading["reasons"] == [{"key": "experience_gap", "source": "stated"}]
    assert reading["stated_reason"] in REJECTION
    assert "Kubernetes" in reading["stated_reason"]
    assert reading["feedback_offered"] is True
    assert all(item["text"] in REJECTION for item in reading["evidence"])
    assert reading["draft_interview"] is None
    draft = reading["draft_outcome"]
    assert draft["application_id"] == globex["id"]
    assert (draft["kind"], draft["received_on"]) == ("rejection", "2026-11-20")

    posted = await client.post("/v1/outcomes", json=draft, headers=headers)  # as it is
    assert posted.status_code == 201, posted.text
    moved = await client.get(f"/v1/applications/{globex['id']}", headers=headers)
    assert moved.json()["stage"] == "rejected"


async def test_an_invitation_drafts_an_interview_and_an_acknowledgement_drafts_nothing(client):
    user = await register(client)
    headers = user["headers"]
    globex = await create_application(client, headers, company="Globex")

    invited = await read(client, headers, "message", {"text": INVITATION})
    assert invited["kind"] == "interview_invitation"
    assert invited["draft_outcome"] is None
    assert invited["draft_interview"]["application_id"] == globex["id"]
    assert invited["draft_interview"]["kind"] == "technical"
    posted = await client.post("/v1/interviews", json=invited["draft_interview"], headers=headers)
    assert posted.status_code == 201, posted.text

    acknowledged = await read(client, headers, "message", {"text": ACKNOWLEDGEMENT})
    assert acknowledged["kind"] == "acknowledgement"
    assert (acknowledged["draft_outcome"], acknowledged["draft_interview"]) == (None, None)


async def test_without_a_match_the_client_picks_the_application(client):
    user = await register(client)
    reading = await read(client, user["headers"], "message", {"text": REJECTION})
    assert reading["matched_applications"] == []
    assert reading["draft_outcome"]["application_id"] is None


async def test_another_accounts_applications_are_never_matched(client):
    owner = await register(client)
    await create_application(client, owner["headers"], company="Globex")
    other = await register(client)
    reading = await read(client, other["headers"], "message", {"text": REJECTION})
    assert reading["matched_applications"] == []


async def test_reading_writes_and_keeps_nothing_and_logs_no_text(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{uuid.uuid4().hex}"
    user = await register(client)
    before = (await client.get("/v1/changes", headers=user["headers"])).json()["sync_token"]
    headers = {**user["headers"], "Idempotency-Key": "same-key"}

    await read(client, headers, "message", {"text": f"{REJECTION}\n{canary}"})
    # The same key with another body: a keyed write would answer 422; a reading keeps no key.
    await read(client, headers, "message", {"text": f"{ACKNOWLEDGEMENT}\n{canary}"})
    await read(client, headers, "posting", {"html": POSTING.replace("Run our", canary)})

    assert not [r for r in caplog.records if canary in r.getMessage() or canary in str(r.args)]
    async with app.state.engine.connect() as connection:
        kept = await connection.execute(text("SELECT count(*) FROM idempotency_keys"))
        assert kept.scalar_one() == 0
    changes = await client.get(
        "/v1/changes", params={"updated_since": before}, headers=user["headers"]
    )
    assert changes.json()["items"] == []


async def test_bad_messages_are_refused_with_problems(client):
    user = await register(client)
    for body, field in (
        ({"text": ""}, "body.text"),
        ({}, "body.text"),
        ({"text": "x", "received_on": "yesterday"}, "body.received_on"),
        ({"text": "x", "sender": "me"}, "body.sender"),
        ({"text": "x" * 100_001}, "body.text"),
    ):
        response = await client.post("/v1/intake/message", json=body, headers=user["headers"])
        assert_problem(response, 422)
        assert field in bad_fields(response), (body.keys(), response.text)
    too_large = await client.post(
        "/v1/intake/message", json={"text": "x" * 1_100_000}, headers=user["headers"]
    )
    assert_problem(too_large, 413)
    assert_problem(await client.post("/v1/intake/message", json={"text": "x"}), 401)


async def test_a_posting_page_drafts_an_application_and_finds_it_applied_already(client):
    user = await register(client)
    headers = user["headers"]
    by_url = await create_application(
        client, headers, company="Someone", job_url="https://boards.greenhouse.io/globex/jobs/4242"
    )
    by_name = await create_application(
        client, headers, company="GLOBEX", role_title="platform  Engineer"
    )
    await create_application(client, headers, company="Globex", role_title="Designer")

    reading = await read(client, headers, "posting", {"url": POSTING_URL, "html": POSTING})

    draft = reading["draft_application"]
    assert (draft["company"], draft["role_title"]) == ("Globex", "Platform engineer")
    assert (draft["salary_min"], draft["salary_max"], draft["currency"]) == (80000, 95000, "EUR")
    assert "Berlin" in draft["location"]
    assert "Kubernetes" in draft["job_description"] and "<li>" not in draft["job_description"]
    assert reading["field_sources"]["company"] == "json_ld"
    assert reading["field_sources"]["role_title"] == "json_ld"
    assert {d["id"] for d in reading["duplicates"]} == {by_url["id"], by_name["id"]}

    posted = await client.post(
        "/v1/applications", json={k: v for k, v in draft.items() if v is not None}, headers=headers
    )
    assert posted.status_code == 201, posted.text


async def test_an_applicant_tracking_url_alone_names_the_company(client):
    user = await register(client)
    reading = await read(
        client, user["headers"], "posting", {"url": "https://jobs.lever.co/northwind/5ac2f0e1"}
    )
    assert reading["draft_application"]["company"] == "Northwind"
    assert reading["field_sources"]["company"] == "url"
    assert reading["duplicates"] == []


async def test_a_posting_needs_something_to_read(client):
    user = await register(client)
    response = await client.post("/v1/intake/posting", json={}, headers=user["headers"])
    assert_problem(response, 422)


async def test_only_the_posting_route_takes_a_large_page(client):
    """The posting route raises the body limit for itself; every other route keeps 1 MB."""
    user = await register(client)
    page = POSTING.replace("<body>", "<body>" + "<p>filler</p>" * 110_000)  # about 1.5 MB
    assert 1_048_576 < len(page) < 2_097_152
    reading = await read(client, user["headers"], "posting", {"html": page})
    assert reading["draft_application"]["company"] == "Globex"
    message = await client.post(
        "/v1/intake/message", json={"text": page[:1_100_000]}, headers=user["headers"]
    )
    assert_problem(message, 413)
    huge = await client.post("/v1/intake/posting", json={"html": page * 2}, headers=user["headers"])
    assert_problem(huge, 413)


@pytest.mark.parametrize("path", ["message", "posting"])
async def test_readings_have_a_limit_of_their_own_not_the_write_limit(app_with, path):
    body = {"text": REJECTION}
    async with client_of(
        app_with(rate_limit_intake_per_user="3/minute", rate_limit_writes_per_user="1/minute")
    ) as client:
        user = await register(client)
        for _ in range(3):  # more than the write limit allows
            await read(client, user["headers"], path, body)
        refused = await client.post(f"/v1/intake/{path}", json=body, headers=user["headers"])
        assert_problem(refused, 429)
        assert int(refused.headers["retry-after"]) > 0


async def test_a_posting_field_may_be_left_out_but_not_null(client):
    user = await register(client)
    response = await client.post(
        "/v1/intake/posting",
        json={"url": None, "text": "Engineer at Globex"},
        headers=user["headers"],
    )
    assert_problem(response, 422)
    assert bad_fields(response) == {"body.url"}
