"""SQLite behind several uvicorn worker processes: concurrent writes from several users wait
for the file's lock instead of failing — never a 500, and every acknowledged write is kept."""

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.live_server import live_server

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's file lock")

USERS, WRITES_PER_USER, IN_FLIGHT = 4, 25, 16


@pytest.fixture(scope="module")
def two_workers() -> Iterator[str]:
    with live_server(uvicorn_args=["--workers", "2"]) as url:
        yield url


async def test_concurrent_writes_across_two_workers_never_fail_with_500(two_workers: str) -> None:
    limits = httpx.Limits(max_connections=IN_FLIGHT)
    async with httpx.AsyncClient(base_url=two_workers, timeout=60, limits=limits) as http:
        accounts = []
        for n in range(USERS):
            response = await http.post(
                "/v1/auth/register",
                json={"email": f"worker-{n}@example.com", "password": "correct horse battery"},
            )
            assert response.status_code == 201, response.text
            accounts.append(
                {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}
            )

        async def story(headers: dict[str, str], n: int) -> list[httpx.Response]:
            """Create an application (idempotently), then change it: two writes per step."""
            created = await http.post(
                "/v1/applications",
                json={"company": f"Company {n}", "role_title": "Engineer"},
                headers={**headers, "Idempotency-Key": f"step-{n}"},
            )
            if created.status_code != 201:
                return [created]
            patched = await http.patch(
                f"/v1/applications/{created.json()['id']}",
                json={"notes": f"step {n}"},
                headers=headers,
            )
            return [created, patched]

        steps = [story(headers, n) for headers in accounts for n in range(WRITES_PER_USER)]
        answers = [r for batch in await asyncio.gather(*steps) for r in batch]

        statuses = Counter(r.status_code for r in answers)
        assert set(statuses) <= {200, 201, 503}, statuses
        assert statuses[500] == 0
        for refused in (r for r in answers if r.status_code == 503):
            assert refused.headers["retry-after"]
        kept: dict[str, Any] = {}
        for headers in accounts:
            listed = await http.get("/v1/applications", params={"limit": 200}, headers=headers)
            kept |= {item["id"]: item for item in listed.json()["items"]}
        for response in answers:
            if response.status_code in {200, 201}:
                record = response.json()
                assert record["id"] in kept
                if response.request.method == "PATCH":
                    assert kept[record["id"]]["notes"] == record["notes"]
