"""Scaled out: two real servers (uvicorn processes on their own ports) share one PostgreSQL
database and one Redis, as in compose.yaml. A limit holds across both, whichever instance each
attempt reaches, a session revoked on one is refused by the other, and a client syncing
against both in turn misses nothing.

Runs in the PostgreSQL run (skipped on SQLite); needs Redis at REDIS_URL (default
127.0.0.1:6379), and fails instead of skipping without it when CI requires services."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle

import httpx
import pytest
import redis

from tests.conftest import POSTGRES_URL, _admin, redis_prefix
from tests.helpers import PASSWORD
from tests.live_server import live_server

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="two instances share a PostgreSQL database: PostgreSQL run only"
)


@pytest.fixture(scope="module")
def instances(redis_url: str) -> Iterator[tuple[str, str]]:
    assert POSTGRES_URL is not None
    name = f"rebound_two_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    database_url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    prefix = redis_prefix()
    env = {
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": prefix,
        # Each test names its client with X-Forwarded-For, so tests never share a counter.
        "TRUSTED_PROXIES": "127.0.0.1",
        "RATE_LIMIT_TOKEN_PER_IP": "5/minute",
        "RATE_LIMIT_PASSWORD_RESET_PER_EMAIL": "3/hour",
        "LOGIN_BACKOFF_AFTER": "3",
        "REFRESH_REUSE_GRACE_SECONDS": "0",
    }
    try:
        with live_server(database_url, env) as first, live_server(database_url, env) as second:
            assert first != second
            yield first, second
    finally:
        keys = list(redis.Redis.from_url(redis_url).scan_iter(f"{prefix}*"))
        if keys:
            redis.Redis.from_url(redis_url).delete(*keys)
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def register(url: str) -> dict[str, str]:
    email = f"user-{uuid.uuid4().hex[:8]}@example.com"
    response = httpx.post(
        f"{url}/v1/auth/register",
        json={"email": email, "password": PASSWORD},
        headers={"X-Forwarded-For": f"192.0.2.{uuid.uuid4().int % 250}"},
    )
    assert response.status_code == 201, response.text
    return {"email": email, **response.json()["tokens"]}


def sign_in(url: str, email: str, password: str, address: str = "192.0.2.1") -> httpx.Response:
    return httpx.post(
        f"{url}/v1/auth/token",
        data={"username": email, "password": password},
        headers={"X-Forwarded-For": address},
    )


def test_the_per_address_limit_counts_attempts_on_both_instances(instances):
    user = register(instances[0])
    address = "198.51.100.10"

    statuses = [
        sign_in(url, user["email"], PASSWORD, address).status_code
        for url, _ in zip(cycle(instances), range(7), strict=False)
    ]

    assert statuses == [200] * 5 + [429, 429]


def test_sign_in_backoff_counts_failures_on_both_instances(instances):
    first, second = instances
    user = register(first)

    failures = [
        sign_in(url, user["email"], "wrong password", f"198.51.100.{20 + n}").status_code
        for n, url in enumerate([first, second, first])
    ]
    # The right password, on the instance that saw one failure only: the account waits.
    waiting = sign_in(second, user["email"], PASSWORD, "198.51.100.30")

    assert failures == [401, 401, 401]
    assert waiting.status_code == 429
    assert int(waiting.headers["retry-after"]) >= 1


def test_password_reset_requests_are_counted_across_instances(instances):
    user = register(instances[0])
    statuses = [
        httpx.post(
            f"{url}/v1/auth/password-reset",
            json={"email": user["email"]},
            headers={"X-Forwarded-For": f"198.51.100.{40 + n}"},
        ).status_code
        for n, url in enumerate([instances[0], instances[1], instances[0], instances[1]])
    ]

    assert statuses == [202, 202, 202, 429]


def test_a_session_signed_out_on_one_instance_is_refused_by_the_other(instances):
    first, second = instances
    user = register(first)

    assert (
        httpx.post(
            f"{second}/v1/auth/logout", json={"refresh_token": user["refresh_token"]}
        ).status_code
        == 204
    )
    refused = httpx.post(f"{first}/v1/auth/refresh", json={"refresh_token": user["refresh_token"]})

    assert refused.status_code == 401


def refused_within(url: str, access_token: str, seconds: float) -> float:
    """Poll GET /v1/me with the token until it answers 401; the seconds that took, or fail."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        response = httpx.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {access_token}"})
        if response.status_code == 401:
            return time.monotonic() - started
        assert response.status_code == 200, response.text
        time.sleep(0.05)
    raise AssertionError(f"the access token still worked on {url} after {seconds} s")


def test_an_access_token_signed_out_on_one_instance_is_refused_by_the_other(instances):
    """Issue 17 #1: the session's access token kept working for up to 15 minutes."""
    first, second = instances
    user = register(first)
    assert httpx.get(
        f"{second}/v1/me", headers={"Authorization": f"Bearer {user['access_token']}"}
    ).is_success

    signed_out = httpx.post(
        f"{first}/v1/auth/logout", json={"refresh_token": user["refresh_token"]}
    )

    assert signed_out.status_code == 204
    mine = httpx.get(f"{first}/v1/me", headers={"Authorization": f"Bearer {user['access_token']}"})
    assert mine.status_code == 401  # the instance that ended it: at once
    refused_within(second, user["access_token"], 5.0)


def test_a_rotated_token_replayed_on_one_instance_revokes_the_session_on_both(instances):
    first, second = instances
    user = register(first)
    rotated = httpx.post(f"{first}/v1/auth/refresh", json={"refresh_token": user["refresh_token"]})
    assert rotated.status_code == 200
    new_refresh = rotated.json()["refresh_token"]

    replay = httpx.post(f"{second}/v1/auth/refresh", json={"refresh_token": user["refresh_token"]})
    after_reuse = httpx.post(f"{first}/v1/auth/refresh", json={"refresh_token": new_refresh})

    assert replay.status_code == 401
    assert replay.json()["type"].endswith("/refresh-token-reused")
    assert after_reuse.status_code == 401


def test_a_client_syncing_alternately_against_both_instances_misses_nothing(instances):
    """Writes land on both instances while a client follows delta sync, each page from the
    other instance: its mirror ends equal to the server's data, version for version."""
    user = register(instances[0])
    headers = {"Authorization": f"Bearer {user['access_token']}"}
    servers = cycle(instances)
    mirror: dict[str, dict] = {}

    def sync(token: str | None) -> str:
        params: dict[str, object] = {"limit": 3}
        if token is not None:
            params["updated_since"] = token
        while True:
            page = httpx.get(f"{next(servers)}/v1/applications", params=params, headers=headers)
            assert page.status_code == 200, page.text
            body = page.json()
            for item in body["items"]:
                if item["deleted_at"] is None:
                    mirror[item["id"]] = item
                else:
                    mirror.pop(item["id"], None)
            if body["next_cursor"] is None:
                return body["sync_token"]
            params["cursor"] = body["next_cursor"]

    def write(count: int) -> None:
        ids: list[str] = []
        for n, url in zip(range(count), cycle(reversed(instances)), strict=False):
            if n % 4 == 3 and ids:  # every fourth operation deletes, the others create or edit
                response = httpx.delete(f"{url}/v1/applications/{ids.pop(0)}", headers=headers)
                assert response.status_code == 204, response.text
            elif n % 2 and ids:
                response = httpx.patch(
                    f"{url}/v1/applications/{ids[-1]}", json={"notes": f"edit {n}"}, headers=headers
                )
                assert response.status_code == 200, response.text
            else:
                body = {"company": f"Company {n}", "role_title": "Engineer"}
                response = httpx.post(f"{url}/v1/applications", json=body, headers=headers)
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])

    token = sync(None)
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(write, 40)
        rounds = 0
        while not writing.done():
            token = sync(token)
            rounds += 1
        writing.result()
    sync(token)  # the client's next sync after the writes

    params: dict[str, object] = {"limit": 200}
    listed = httpx.get(f"{instances[1]}/v1/applications", params=params, headers=headers).json()
    assert listed["next_cursor"] is None
    server = {item["id"]: item for item in listed["items"]}
    assert mirror == server
    assert len(server) >= 10 and rounds >= 2, (len(server), rounds)
