"""Requests that hash while hashing is the bottleneck: one waiting for its hash holds no
database connection (sign-in, sign-up, password change and reset, erasure), writes only what
it checked still holds, and one that would wait too long for a hashing thread is answered 503
at once."""

import asyncio
import threading
from email import message_from_bytes, policy
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from app.auth import passwords
from app.core.identity import User
from tests.auth.test_password_reset import code_in, confirm, request_reset, sign_in
from tests.helpers import (
    PASSWORD,
    RESET_SUBJECT,
    assert_problem,
    client_of,
    outbox,
    register,
    until,
)


class HeldHashes:
    """The real hasher, except that every verification, and once `hold_new_hashes` is set
    every new hash, first waits for the gate."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.hold_new_hashes = False

    def hash(self, password: str) -> str:
        if self.hold_new_hashes:
            self.entered.set()
            self.gate.wait(10)
        return str(self.real.hash(password))

    def verify(self, password: str, hashed: str) -> bool:
        self.entered.set()
        self.gate.wait(10)
        return bool(self.real.verify(password, hashed))


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldHashes:
    hashes = HeldHashes(passwords.password_hash)
    monkeypatch.setattr(passwords, "password_hash", hashes)
    return hashes


@pytest.fixture
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """No wait allowed beyond the one per thread that always may."""
    monkeypatch.setattr(passwords, "HASH_WAIT_SECONDS", 0.0)
    monkeypatch.setattr(passwords, "_seconds_per_hash", 1.0)


def sign_in_form(email: str) -> dict[str, str]:
    return {"username": email, "password": PASSWORD}


# Sign-ins that take every hashing thread, and the one more per thread that may always wait.
OCCUPYING = 2 * passwords.HASH_CONCURRENCY


async def occupy_the_hashing_threads(
    client: httpx.AsyncClient, held: HeldHashes
) -> list[asyncio.Task[httpx.Response]]:
    """OCCUPYING sign-ins, of accounts of their own, held until the gate opens."""
    emails = [(await register(client))["email"] for _ in range(OCCUPYING)]
    signing_in = [
        asyncio.create_task(client.post("/v1/auth/token", data=sign_in_form(email)))
        for email in emails
    ]
    await until(lambda: held.entered.is_set() and passwords._in_line == OCCUPYING)
    return signing_in


async def test_a_sign_in_waiting_for_its_hash_holds_no_database_connection(app_with, held):
    # One pooled connection: held through the hash, it would leave none for the profile read.
    app = app_with(db_pool_size=1, db_pool_timeout_seconds=1)
    async with client_of(app) as client:
        user = await register(client)
        signing_in = await occupy_the_hashing_threads(client, held)

        profile = await client.get("/v1/me", headers=user["headers"])
        created = await client.post(
            "/v1/contacts", json={"name": "Ada Recruiter"}, headers=user["headers"]
        )

        held.gate.set()
        signed_in = await asyncio.gather(*signing_in)
    assert profile.status_code == 200, profile.text
    assert created.status_code == 201, created.text
    assert [r.status_code for r in signed_in] == [200] * len(signed_in)
    assert all(r.json()["access_token"] for r in signed_in)


async def test_a_sign_in_that_would_wait_too_long_is_answered_503_and_counted_nowhere(
    app_with, held, no_wait
):
    # One failed attempt free, and just enough sign-ins per address for the accepted ones: a
    # refusal counted as a failed password or as a sign-in would make the last one a 429.
    app = app_with(login_backoff_after=1, rate_limit_token_per_ip=f"{OCCUPYING + 1}/minute")
    async with client_of(app) as client:
        user = await register(client)
        first = await occupy_the_hashing_threads(client, held)

        refused = [
            await client.post("/v1/auth/token", data=sign_in_form(user["email"])) for _ in range(3)
        ]

        held.gate.set()
        signed_in = await asyncio.gather(*first)
        again = await client.post("/v1/auth/token", data=sign_in_form(user["email"]))
    for response in refused:
        problem = assert_problem(response, 503)
        assert problem["type"].endswith("/overloaded")
        assert response.headers["retry-after"] == str(passwords.BUSY_RETRY_AFTER_SECONDS)
    assert [r.status_code for r in signed_in] == [200] * len(first)
    # The refusals changed nothing: the account signs in as before, without a backoff.
    assert again.status_code == 200, again.text


async def test_a_sign_up_that_would_wait_too_long_is_answered_503_and_counted_nowhere(
    app_with, held, no_wait
):
    # One sign-up left for the address, one for the email: a refusal counted would make the
    # last sign-up a 429.
    app = app_with(
        rate_limit_register_per_ip=f"{OCCUPYING + 1}/hour", rate_limit_register_per_email="1/hour"
    )
    async with client_of(app) as client:
        hashing = await occupy_the_hashing_threads(client, held)
        newcomer = {"email": "newcomer@example.com", "password": PASSWORD}

        refused = [await client.post("/v1/auth/register", json=newcomer) for _ in range(3)]

        held.gate.set()
        await asyncio.gather(*hashing)
        registered = await client.post("/v1/auth/register", json=newcomer)
    for response in refused:
        assert assert_problem(response, 503)["type"].endswith("/overloaded")
    assert registered.status_code == 201, registered.text


NEW_PASSWORD = "a brand new passphrase"


NEW_CHANGE = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
ERASE = {"password": PASSWORD}


async def request(
    client: httpx.AsyncClient, method: str, path: str, user: dict[str, Any], body: Any
) -> httpx.Response:
    return await client.request(method, path, json=body, headers=user["headers"])


async def test_a_password_change_reset_or_erasure_waiting_for_its_hash_holds_no_connection(
    app_with, held
):
    app = app_with(db_pool_size=1, db_pool_timeout_seconds=1, smtp_host=None)
    async with client_of(app) as client:
        changing, erasing, resetting, reader = [await register(client) for _ in range(4)]
        await request_reset(client, resetting["email"])
        (mail,) = outbox(app, RESET_SUBJECT)
        code = code_in(message_from_bytes(mail.read_bytes(), policy=policy.default))  # type: ignore[arg-type]
        held.hold_new_hashes = True
        hashing = [
            asyncio.create_task(request(client, "POST", "/v1/me/password", changing, NEW_CHANGE)),
            asyncio.create_task(request(client, "DELETE", "/v1/me", erasing, ERASE)),
            asyncio.create_task(confirm(client, code, NEW_PASSWORD)),
        ]
        await until(lambda: held.entered.is_set() and passwords._in_line == len(hashing))

        profile = await client.get("/v1/me", headers=reader["headers"])

        held.gate.set()
        answers = await asyncio.gather(*hashing)
        signed_in = [await sign_in(client, u["email"], NEW_PASSWORD) for u in (changing, resetting)]
        erased = await client.get("/v1/me", headers=erasing["headers"])
    assert profile.status_code == 200, profile.text
    assert [r.status_code for r in answers] == [204] * len(hashing), [r.text for r in answers]
    assert [r.status_code for r in signed_in] == [200, 200]
    assert erased.status_code == 401


async def test_a_password_changed_while_the_old_one_was_checked_is_neither_replaced_nor_erased(
    app_with, held
):
    app = app_with()
    async with client_of(app) as client:
        changing, erasing = [await register(client) for _ in range(2)]
        checking = [
            asyncio.create_task(request(client, "POST", "/v1/me/password", changing, NEW_CHANGE)),
            asyncio.create_task(request(client, "DELETE", "/v1/me", erasing, ERASE)),
        ]
        await until(lambda: held.entered.is_set() and passwords._in_line == len(checking))
        # Meanwhile both passwords change elsewhere (a reset on another device, say).
        elsewhere = "changed on another device"
        async with app.state.engine.begin() as connection:
            await connection.execute(
                update(User)
                .where(col(User.email).in_([changing["email"], erasing["email"]]))
                .values(password_hash=held.real.hash(elsewhere))
            )

        held.gate.set()
        answers = await asyncio.gather(*checking)
        signed_in = [await sign_in(client, u["email"], elsewhere) for u in (changing, erasing)]
    for answer in answers:
        problem = assert_problem(answer, 403)
        assert problem["type"].endswith("/wrong-password")
        assert "changed meanwhile" in problem["detail"]
    # Neither the new password nor the erasure was written over the change.
    assert [r.status_code for r in signed_in] == [200, 200]
