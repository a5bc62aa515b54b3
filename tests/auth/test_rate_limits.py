"""Rate limits: per address and per account on sign-in, sign-up and password reset, backoff
on failed sign-ins that always ends, and a per-user limit on writes. Each test sets low limits
on an app of its own; the counters' clock is a fake one the test moves, so nothing sleeps."""

from typing import Any

import httpx

from app.core.counters import MemoryCounters
from tests.helpers import PASSWORD, assert_problem, client_of, register


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def with_clock(app: Any) -> Clock:
    clock = Clock()
    app.state.rate_limiter.counters = MemoryCounters(clock=clock)
    return clock


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


def assert_rate_limited(response: httpx.Response) -> int:
    """The 429 problem document; returns its Retry-After in seconds."""
    body = assert_problem(response, 429)
    assert body["type"].endswith("/rate-limited")
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= 1
    assert str(retry_after) in body["detail"]
    return retry_after


async def test_sign_ins_from_one_address_are_limited_per_window(app_with):
    throttled = app_with(rate_limit_token_per_ip="3/minute")
    async with client_of(throttled, "203.0.113.7") as client:
        user = await register(client)
        for _ in range(3):
            assert (await sign_in(client, user["email"], PASSWORD)).status_code == 200

        refused = await sign_in(client, user["email"], PASSWORD)

    assert 1 <= assert_rate_limited(refused) <= 60
    async with client_of(throttled, "203.0.113.8") as other_address:
        assert (await sign_in(other_address, user["email"], PASSWORD)).status_code == 200


async def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(app_with):
    untrusted = app_with(rate_limit_token_per_ip="1/minute")
    async with client_of(untrusted, "198.51.100.1") as client:
        user = await register(client)
        await sign_in(client, user["email"], PASSWORD)

        spoofed = await client.post(
            "/v1/auth/token",
            data={"username": user["email"], "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.99"},
        )

    assert_rate_limited(spoofed)

    behind_proxy = app_with(rate_limit_token_per_ip="1/minute", trusted_proxies=["10.0.0.1"])
    async with client_of(behind_proxy, "10.0.0.1") as proxy:
        answers = [
            (
                await proxy.post(
                    "/v1/auth/token",
                    data={"username": user["email"], "password": PASSWORD},
                    headers={"X-Forwarded-For": client_address},
                )
            ).status_code
            for client_address in ("192.0.2.1", "192.0.2.2", "192.0.2.1")
        ]
    assert answers == [200, 200, 429]


async def test_failed_sign_ins_back_off_exponentially_up_to_a_cap(app_with):
    throttled = app_with(login_backoff_after=3, login_backoff_max_seconds=8)
    clock = with_clock(throttled)
    async with client_of(throttled) as client:
        user = await register(client)
        for _ in range(3):
            assert (await sign_in(client, user["email"], "wrong password")).status_code == 401

        waits = []
        for _ in range(5):
            # Even the right password waits: the account is slowed down, not the guess.
            wait = assert_rate_limited(await sign_in(client, user["email"], PASSWORD))
            waits.append(wait)
            clock.now += wait
            assert (await sign_in(client, user["email"], "wrong password")).status_code == 401

    assert waits == [1, 2, 4, 8, 8]


async def test_a_backoff_always_ends_and_success_forgets_the_failures(app_with):
    throttled = app_with(
        login_backoff_after=2, login_backoff_max_seconds=900, login_failures_expire_seconds=3600
    )
    clock = with_clock(throttled)
    async with client_of(throttled) as client:
        user = await register(client)
        for _ in range(12):
            clock.now += 900  # the longest wait: every attempt gets through, and fails
            assert (await sign_in(client, user["email"], "wrong password")).status_code == 401
        assert assert_rate_limited(await sign_in(client, user["email"], PASSWORD)) == 900

        clock.now += 3600  # a quiet hour: the failures are forgotten
        assert (await sign_in(client, user["email"], PASSWORD)).status_code == 200
        assert (await sign_in(client, user["email"], "wrong password")).status_code == 401
        # One failure after a success: nowhere near the threshold again.
        assert (await sign_in(client, user["email"], PASSWORD)).status_code == 200


async def test_backoff_is_per_account_and_the_same_for_unknown_emails(app_with):
    throttled = app_with(login_backoff_after=2)
    with_clock(throttled)
    async with client_of(throttled) as client:
        victim, bystander = await register(client), await register(client)
        unknown = "nobody-here@example.com"
        for email in (victim["email"], unknown):
            for _ in range(2):
                assert (await sign_in(client, email, "wrong password")).status_code == 401

        victim_answer = await sign_in(client, victim["email"], "wrong password")
        unknown_answer = await sign_in(client, unknown, "wrong password")
        bystander_answer = await sign_in(client, bystander["email"], PASSWORD)

    assert victim_answer.json() == unknown_answer.json()
    assert victim_answer.headers["retry-after"] == unknown_answer.headers["retry-after"]
    assert_rate_limited(victim_answer)
    assert bystander_answer.status_code == 200


async def test_sign_ups_are_limited_per_address_and_per_email(app_with):
    throttled = app_with(
        rate_limit_register_per_ip="2/hour", rate_limit_register_per_email="1/hour"
    )
    async with client_of(throttled, "203.0.113.20") as client:
        await register(client)
        await register(client)
        assert_rate_limited(
            await client.post(
                "/v1/auth/register",
                json={"email": "third@example.com", "password": PASSWORD},
            )
        )
    async with client_of(throttled, "203.0.113.21") as other_address:
        taken = await other_address.post(
            "/v1/auth/register", json={"email": "dana@example.com", "password": PASSWORD}
        )
        again = await other_address.post(
            "/v1/auth/register", json={"email": "Dana@Example.com", "password": PASSWORD}
        )
    assert taken.status_code == 201
    assert_rate_limited(again)


async def test_password_reset_requests_are_limited_per_email_known_or_not(app_with):
    throttled = app_with(rate_limit_password_reset_per_email="2/hour")
    async with client_of(throttled) as client:
        user = await register(client)
        answers: dict[str, list[int]] = {}
        for email in (user["email"], "nobody-here@example.com"):
            answers[email] = [
                (await client.post("/v1/auth/password-reset", json={"email": email})).status_code
                for _ in range(3)
            ]

    assert list(answers.values()) == [[202, 202, 429], [202, 202, 429]]


async def test_password_reset_requests_are_limited_per_address(app_with):
    throttled = app_with(rate_limit_password_reset_per_ip="2/hour")
    async with client_of(throttled) as client:
        statuses = [
            (
                await client.post("/v1/auth/password-reset", json={"email": f"a{n}@example.com"})
            ).status_code
            for n in range(3)
        ]
        confirm = await client.post(
            "/v1/auth/password-reset/confirm",
            json={"token": "x" * 40, "new_password": "a new long passphrase"},
        )
    assert statuses == [202, 202, 429]
    assert confirm.status_code == 422  # confirmations have a bucket of their own


async def test_writes_are_limited_per_user_and_reads_are_not(app_with):
    throttled = app_with(rate_limit_writes_per_user="3/minute")
    record = {"company": "Acme", "role_title": "Engineer"}
    async with client_of(throttled) as client:
        user, other = await register(client), await register(client)
        for _ in range(3):
            created = await client.post("/v1/applications", json=record, headers=user["headers"])
            assert created.status_code == 201

        refused = await client.post("/v1/applications", json=record, headers=user["headers"])
        patch = await client.patch("/v1/me", json={"weekly_goal": 3}, headers=user["headers"])
        listed = await client.get("/v1/applications", headers=user["headers"])
        others_write = await client.post("/v1/applications", json=record, headers=other["headers"])
        anonymous = await client.post("/v1/applications", json=record)

    assert 1 <= assert_rate_limited(refused) <= 60
    assert_rate_limited(patch)
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 3  # the refused write wrote nothing
    assert others_write.status_code == 201
    assert anonymous.status_code == 401


async def test_the_default_suite_settings_throttle_nothing(client):
    user = await register(client)
    for _ in range(20):
        assert (await sign_in(client, user["email"], "wrong password")).status_code == 401
    assert (await sign_in(client, user["email"], PASSWORD)).status_code == 200


def test_429s_are_documented_with_retry_after(app):
    paths = app.openapi()["paths"]
    documented = {
        (method, path)
        for path, item in paths.items()
        for method, operation in item.items()
        if "429" in operation.get("responses", {})
    }
    for operation in [
        ("post", "/v1/auth/token"),
        ("post", "/v1/auth/register"),
        ("post", "/v1/auth/password-reset"),
        ("post", "/v1/auth/password-reset/confirm"),
        ("post", "/v1/applications"),
        ("post", "/v1/me/password"),
        ("delete", "/v1/me"),
        ("patch", "/v1/applications/{record_id}"),
        ("delete", "/v1/me"),
        # Every write with a valid token counts against the write limit, refresh too.
        ("post", "/v1/auth/refresh"),
        ("post", "/v1/auth/logout"),
    ]:
        assert operation in documented
        assert "Retry-After" in paths[operation[1]][operation[0]]["responses"]["429"]["headers"]
    assert ("get", "/v1/applications") not in documented


async def change_password(client: httpx.AsyncClient, user: dict[str, Any], current: str):
    body = {"current_password": current, "new_password": "a brand new passphrase"}
    return await client.post("/v1/me/password", json=body, headers=user["headers"])


async def erase(client: httpx.AsyncClient, user: dict[str, Any], password: str):
    return await client.request(
        "DELETE", "/v1/me", json={"password": password}, headers=user["headers"]
    )


async def test_password_guesses_with_an_access_token_back_off(app_with):
    """Issue 17 #5: ten wrong current passwords were ten 403s, then the right one a 204."""
    throttled = app_with(login_backoff_after=3, login_backoff_max_seconds=8)
    clock = with_clock(throttled)
    async with client_of(throttled) as client:
        user = await register(client)
        for _ in range(3):
            assert (await change_password(client, user, "guess")).status_code == 403
        wait = assert_rate_limited(await change_password(client, user, PASSWORD))
        assert assert_rate_limited(await erase(client, user, PASSWORD)) == wait  # one count

        clock.now += wait
        assert (await erase(client, user, "guess")).status_code == 403
        assert assert_rate_limited(await erase(client, user, PASSWORD)) == 2
        clock.now += 2
        assert (await change_password(client, user, PASSWORD)).status_code == 204


async def test_password_guesses_never_lock_the_owner_out_of_signing_in(app_with):
    throttled = app_with(login_backoff_after=2, login_backoff_max_seconds=900)
    with_clock(throttled)
    async with client_of(throttled) as client:
        user = await register(client)
        for _ in range(2):
            assert (await erase(client, user, "guess")).status_code == 403
        assert_rate_limited(await erase(client, user, PASSWORD))

        assert (await sign_in(client, user["email"], PASSWORD)).status_code == 200


async def test_a_right_password_forgets_the_wrong_ones(app_with):
    throttled = app_with(login_backoff_after=3)
    with_clock(throttled)
    async with client_of(throttled) as client:
        user = await register(client)
        for _ in range(2):
            assert (await change_password(client, user, "guess")).status_code == 403
        assert (await change_password(client, user, PASSWORD)).status_code == 204
        for _ in range(2):
            response = await change_password(client, user, "guess")
            assert response.status_code == 403
