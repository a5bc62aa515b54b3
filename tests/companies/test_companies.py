"""Companies: the caller's employers under one key however the name was written, and one
employer's whole history for the user who applies there again."""

from tests.contacts.factories import create_contact
from tests.helpers import assert_problem, register
from tests.resources.factories import create_application, create_feedback, create_outcome


async def companies(client, headers, **params):
    response = await client.get("/v1/companies", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_spellings_of_one_employer_are_one_company_with_its_counts(client):
    user = await register(client)
    headers = user["headers"]
    first = await create_application(
        client, headers, company="ACME GmbH", role_title="Engineer", applied_on="2025-03-01"
    )
    second = await create_application(
        client, headers, company="Acme", role_title="Platform engineer", applied_on="2026-10-01"
    )
    await create_application(client, headers, company="Globex", role_title="SRE")
    await create_outcome(client, headers, first["id"], kind="rejection")
    await create_outcome(client, headers, second["id"], kind="offer", received_on="2026-11-01")

    page = await companies(client, headers)

    assert page["next_cursor"] is None
    assert page["items"] == [
        {
            "key": "acme",
            "name": "Acme",  # as last written
            "applications": 2,
            "outcomes": 2,
            "rejections": 1,
            "offers": 1,
            "last_applied_on": "2026-10-01",
        },
        {
            "key": "globex",
            "name": "Globex",
            "applications": 1,
            "outcomes": 0,
            "rejections": 0,
            "offers": 0,
            "last_applied_on": None,
        },
    ]


async def test_pages_follow_the_key_and_q_finds_part_of_a_name(client):
    user = await register(client)
    headers = user["headers"]
    for name in ("Initech", "Globex Corporation", "Acme", "Hooli", "Umbrella"):
        await create_application(client, headers, company=name)

    seen, cursor = [], None
    while True:
        page = await companies(client, headers, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [item["key"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["acme", "globex", "hooli", "initech", "umbrella"]
    assert [i["key"] for i in (await companies(client, headers, q="GLOB"))["items"]] == ["globex"]
    assert (await companies(client, headers, q="100%_"))["items"] == []

    bad = await client.get("/v1/companies", params={"cursor": "bm9wZQ"}, headers=headers)
    assert_problem(bad, 422)


async def test_a_company_page_shows_what_happened_last_time(client):
    user = await register(client)
    headers = user["headers"]
    old = await create_application(
        client, headers, company="Acme Inc.", role_title="Engineer", applied_on="2025-02-01"
    )
    rejection = await create_outcome(
        client,
        headers,
        old["id"],
        stated_reason="We hired someone with more Go experience.",
        reasons=[{"key": "experience_gap", "source": "stated"}],
    )
    talk = await create_feedback(client, headers, old["id"], contact_name="Dana")
    dana = await create_contact(client, headers, name="Dana", company="ACME")
    await create_contact(client, headers, name="Elsewhere", company="Globex")
    await create_application(client, headers, company="Globex")
    new = await create_application(client, headers, company="acme", applied_on="2026-11-02")

    response = await client.get("/v1/companies/acme", headers=headers)

    assert response.status_code == 200, response.text
    history = response.json()
    assert history["key"] == "acme"
    assert [a["id"] for a in history["applications"]] == [new["id"], old["id"]]
    assert [o["id"] for o in history["outcomes"]] == [rejection["id"]]
    assert history["outcomes"][0]["reasons"] == [{"key": "experience_gap", "source": "stated"}]
    assert [f["id"] for f in history["feedback_conversations"]] == [talk["id"]]
    assert [c["id"] for c in history["contacts"]] == [dana["id"]]


async def test_deleted_records_leave_the_company_and_other_users_see_nothing(client):
    owner = await register(client)
    record = await create_application(client, owner["headers"], company="Acme")
    other = await register(client)
    assert (await companies(client, other["headers"]))["items"] == []
    assert_problem(await client.get("/v1/companies/acme", headers=other["headers"]), 404)

    gone = await client.delete(f"/v1/applications/{record['id']}", headers=owner["headers"])
    assert gone.status_code == 204
    assert (await companies(client, owner["headers"]))["items"] == []
    assert_problem(await client.get("/v1/companies/acme", headers=owner["headers"]), 404)


async def test_companies_need_a_token(client):
    assert_problem(await client.get("/v1/companies"), 401)
    assert_problem(await client.get("/v1/companies/acme"), 401)
