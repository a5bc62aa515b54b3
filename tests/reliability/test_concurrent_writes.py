"""Racing writers: requests really run at once (each on its own pooled connection), and the
contract holds — one If-Match wins, one Idempotency-Key creates one record."""

import asyncio
import uuid
from typing import Any

import httpx

from tests.helpers import register, transactions_under_way
from tests.resources.factories import create_application

RACERS = 20


async def test_of_twenty_patches_with_the_same_if_match_exactly_one_wins(
    app: Any, client: httpx.AsyncClient
) -> None:
    account = await register(client)
    headers = account["headers"]
    record = await create_application(client, headers)
    url = f"/v1/applications/{record['id']}"
    etag = (await client.get(url, headers=headers)).headers["etag"]

    async def patch(n: int) -> httpx.Response:
        return await client.patch(
            url, json={"notes": f"writer {n}"}, headers={**headers, "If-Match": etag}
        )

    with transactions_under_way(app) as in_use:
        answers = await asyncio.gather(*(patch(n) for n in range(RACERS)))
    assert in_use["most"] > 1, "the requests did not overlap"

    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [412] * (RACERS - 1), statuses
    winner = next(r for r in answers if r.status_code == 200).json()
    stored = (await client.get(url, headers=headers)).json()
    assert stored["version"] == 2
    assert stored["notes"] == winner["notes"]
    for loser in (r for r in answers if r.status_code == 412):
        assert loser.headers["etag"] == (await client.get(url, headers=headers)).headers["etag"]


async def test_concurrent_retries_with_one_idempotency_key_create_one_record(
    app: Any, client: httpx.AsyncClient
) -> None:
    account = await register(client)
    key = str(uuid.uuid4())
    body = {"company": "Acme", "role_title": "Engineer", "notes": "sent once"}
    headers = {**account["headers"], "Idempotency-Key": key}

    with transactions_under_way(app) as in_use:
        answers = await asyncio.gather(
            *(client.post("/v1/applications", json=body, headers=headers) for _ in range(RACERS))
        )
    assert in_use["most"] > 1, "the requests did not overlap"

    # The first runs; the others replay its answer or, while it runs, are told to retry.
    assert {r.status_code for r in answers} <= {201, 409}, [r.text for r in answers]
    created = [r for r in answers if r.status_code == 201]
    originals = [r for r in created if r.headers.get("idempotent-replayed") != "true"]
    assert len(originals) == 1
    assert {r.json()["id"] for r in created} == {originals[0].json()["id"]}
    for conflict in (r for r in answers if r.status_code == 409):
        assert conflict.json()["type"].endswith("/idempotency-conflict")

    listed = await client.get("/v1/applications", headers=account["headers"])
    assert [item["id"] for item in listed.json()["items"]] == [originals[0].json()["id"]]
    retried = await client.post("/v1/applications", json=body, headers=headers)
    assert retried.status_code == 201
    assert retried.headers["idempotent-replayed"] == "true"
    assert retried.json()["id"] == originals[0].json()["id"]
