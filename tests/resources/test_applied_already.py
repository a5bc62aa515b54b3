""" "Have I applied already?": the `job_url` filter finds a posting however it was linked, and
an application keeps the posting's text (`job_description`)."""

from tests.helpers import assert_problem, bad_fields, register
from tests.resources.factories import create_application

POSTING = "https://boards.greenhouse.io/acme/jobs/4242"


async def ids_for(client, headers, url):
    response = await client.get("/v1/applications", params={"job_url": url}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def test_the_same_posting_is_found_through_tracking_and_fragment(client):
    user = await register(client)
    headers = user["headers"]
    applied = await create_application(client, headers, job_url=f"{POSTING}?gh_src=li#app")
    await create_application(client, headers, job_url="https://boards.greenhouse.io/acme/jobs/1")
    await create_application(client, headers)  # no URL at all

    for asked in (
        POSTING,
        f"{POSTING}/",
        "https://www.boards.greenhouse.io/acme/jobs/4242?utm_source=x&utm_campaign=y",
        "http://BOARDS.greenhouse.io/acme/jobs/4242#top",
    ):
        assert await ids_for(client, headers, asked) == {applied["id"]}, asked
    assert await ids_for(client, headers, "https://boards.greenhouse.io/acme/jobs/999") == set()
    assert await ids_for(client, headers, "no host at all") == set()


async def test_a_changed_or_removed_url_moves_the_key(client):
    user = await register(client)
    headers = user["headers"]
    record = await create_application(client, headers, job_url=POSTING)
    moved = await client.patch(
        f"/v1/applications/{record['id']}",
        json={"job_url": "https://jobs.lever.co/acme/abc?lever-source=x"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert await ids_for(client, headers, POSTING) == set()
    assert await ids_for(client, headers, "https://jobs.lever.co/acme/abc") == {record["id"]}

    cleared = await client.patch(
        f"/v1/applications/{record['id']}", json={"job_url": None}, headers=headers
    )
    assert cleared.status_code == 200, cleared.text
    assert await ids_for(client, headers, "https://jobs.lever.co/acme/abc") == set()


async def test_another_account_never_answers_the_question(client):
    owner = await register(client)
    await create_application(client, owner["headers"], job_url=POSTING)
    other = await register(client)
    assert await ids_for(client, other["headers"], POSTING) == set()


async def test_deleted_applications_do_not_count_as_applied(client):
    user = await register(client)
    record = await create_application(client, user["headers"], job_url=POSTING)
    gone = await client.delete(f"/v1/applications/{record['id']}", headers=user["headers"])
    assert gone.status_code == 204
    assert await ids_for(client, user["headers"], POSTING) == set()


async def test_job_description_is_kept_up_to_its_limit(client):
    user = await register(client)
    text = "Build the platform.\n\n- Python\n- PostgreSQL\n" + "x" * 99_957
    record = await create_application(client, user["headers"], job_description=text)
    assert len(text) == 100_000
    got = await client.get(f"/v1/applications/{record['id']}", headers=user["headers"])
    assert got.json()["job_description"] == text

    too_long = await client.post(
        "/v1/applications",
        json={"company": "Acme", "role_title": "Engineer", "job_description": "y" * 100_001},
        headers=user["headers"],
    )
    assert_problem(too_long, 422)
    assert bad_fields(too_long) == {"body.job_description"}


async def test_job_description_travels_through_export_and_import(client):
    user = await register(client)
    await create_application(client, user["headers"], job_description="Ship things.")
    exported = (await client.get("/v1/me/export", headers=user["headers"])).json()
    assert [a["job_description"] for a in exported["applications"]] == ["Ship things."]

    other = await register(client)
    imported = await client.post("/v1/me/import", json=exported, headers=other["headers"])
    assert imported.status_code == 200, imported.text
    [copy] = (await client.get("/v1/applications", headers=other["headers"])).json()["items"]
    assert copy["job_description"] == "Ship things."
    assert (
        await ids_for(client, other["headers"], exported["applications"][0]["job_url"] or "x")
        == set()
    )


async def test_other_methods_on_a_collections_own_operations_are_405_not_malformed_ids(client):
    user = await register(client)
    for method, path, allowed in (
        ("PATCH", "/v1/applications/close-stale", "POST"),
        ("GET", "/v1/applications/close-stale", "POST"),
        ("DELETE", "/v1/applications/export.csv", "GET"),
        ("PATCH", "/v1/applications/import.csv", "POST"),
    ):
        response = await client.request(method, path, headers=user["headers"])
        assert_problem(response, 405)
        assert response.headers["allow"] == allowed
    malformed = await client.get("/v1/applications/not-a-uuid", headers=user["headers"])
    assert_problem(malformed, 422)
    assert bad_fields(malformed) == {"path.record_id"}
