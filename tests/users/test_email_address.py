"""The email changes as a bank changes it (issue 17 #2): the password, then a code mailed to the
new address; the old address is told; a taken address learns nothing from the answer. Sign-up
mails a verification code. Mail goes to the development outbox, read here as a user would."""

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.helpers import PASSWORD, assert_problem, bad_fields, client_of, register

CODE = re.compile(r"Your code:\s+(\d{6})")
NEW = "dana.new@example.com"


def mails(app: Any) -> list[EmailMessage]:
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in sorted((app.state.settings.var_dir / "outbox").glob("*.eml"))
    ]


def mails_to(app: Any, address: str) -> list[EmailMessage]:
    return [message for message in mails(app) if message["To"] == address]


def code_for(app: Any, address: str) -> str:
    body = mails_to(app, address)[-1].get_body(("plain",))
    assert body is not None
    match = CODE.search(body.get_content())
    assert match, body.get_content()
    return match[1]


@pytest.fixture
async def mailing(app_with) -> Any:
    return app_with(smtp_host=None, rate_limit_email_codes_per_user="1000/minute")


async def request_change(client: httpx.AsyncClient, user: dict, new: str, password: str = PASSWORD):
    return await client.post(
        "/v1/me/email",
        json={"new_email": new, "current_password": password},
        headers=user["headers"],
    )


async def confirm(client: httpx.AsyncClient, user: dict, code: str) -> httpx.Response:
    return await client.post("/v1/me/email/confirm", json={"code": code}, headers=user["headers"])


async def test_a_code_to_the_new_address_changes_the_email_and_both_addresses_are_told(mailing):
    async with client_of(mailing) as client:
        user = await register(client)
        old = user["email"]

        requested = await request_change(client, user, "Dana.New@Example.com")
        assert requested.status_code == 202, requested.text
        assert (await client.get("/v1/me", headers=user["headers"])).json()["email"] == old
        confirmed = await confirm(client, user, code_for(mailing, NEW))

        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["email"] == NEW
        assert confirmed.json()["email_verified"] is True
        assert confirmed.headers["etag"]
        subjects_to_old = [m["Subject"] for m in mails_to(mailing, old)]
        assert "A change of your email was requested" in subjects_to_old
        assert "Your Rebound email was changed" in subjects_to_old
        assert all(NEW not in m.get_body(("plain",)).get_content() for m in mails_to(mailing, old))
        signed_in = await client.post(
            "/v1/auth/token", data={"username": NEW, "password": PASSWORD}
        )
        assert signed_in.status_code == 200


async def test_a_taken_address_gets_the_same_answer_and_no_code(mailing):
    async with client_of(mailing) as client:
        await register(client, "taken@example.com")
        user = await register(client)

        taken = await request_change(client, user, "Taken@Example.com")
        free = await request_change(client, user, "free@example.com")

        assert (taken.status_code, taken.json()) == (free.status_code, free.json())
        (told,) = [m for m in mails_to(mailing, "taken@example.com") if "already" in m["Subject"]]
        assert not CODE.search(told.get_body(("plain",)).get_content())
        for guess in ("000000", "123456"):
            assert_problem(await confirm(client, user, guess), 422)


async def test_a_wrong_password_changes_nothing_and_mails_nothing(mailing):
    async with client_of(mailing) as client:
        user = await register(client)
        before = len(mails(mailing))

        response = await request_change(client, user, NEW, "not my password")

        assert assert_problem(response, 403)["type"].endswith("/wrong-password")
        assert len(mails(mailing)) == before


async def test_a_code_is_dead_after_five_tries(mailing):
    async with client_of(mailing) as client:
        user = await register(client)
        await request_change(client, user, NEW)
        code = code_for(mailing, NEW)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"

        for _ in range(5):
            problem = assert_problem(await confirm(client, user, wrong), 422)
            assert problem["type"].endswith("/invalid-code")
        late = await confirm(client, user, code)

        assert bad_fields(late) == {"body.code"}
        assert (await client.get("/v1/me", headers=user["headers"])).json()["email"] == user[
            "email"
        ]


async def test_a_cancelled_change_cannot_be_confirmed(mailing):
    async with client_of(mailing) as client:
        user = await register(client)
        await request_change(client, user, NEW)
        code = code_for(mailing, NEW)

        cancelled = await client.delete("/v1/me/email", headers=user["headers"])

        assert cancelled.status_code == 204
        assert_problem(await confirm(client, user, code), 422)


async def test_the_code_stored_is_a_hash(mailing):
    async with client_of(mailing) as client:
        user = await register(client)
        await request_change(client, user, NEW)
        code = code_for(mailing, NEW)
        async with mailing.state.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT * FROM email_codes"))).all()

        assert rows
        assert all(code not in str(value) for row in rows for value in row)


async def test_sign_up_mails_a_code_that_verifies_the_address(mailing):
    async with client_of(mailing) as client:
        user = await register(client)
        assert user["user"]["email_verified"] is False
        code = code_for(mailing, user["email"])

        wrong = await client.post(
            "/v1/auth/verify-email",
            json={"code": f"{(int(code) + 1) % 1_000_000:06d}"},
            headers=user["headers"],
        )
        right = await client.post(
            "/v1/auth/verify-email", json={"code": code}, headers=user["headers"]
        )

        assert bad_fields(wrong) == {"body.code"}
        assert right.status_code == 200, right.text
        assert right.json()["email_verified"] is True
        assert (await client.get("/v1/me", headers=user["headers"])).json()["email_verified"]


async def test_a_resend_replaces_the_code_and_is_limited(app_with):
    limited = app_with(smtp_host=None, rate_limit_email_codes_per_user="2/hour")
    async with client_of(limited) as client:
        user = await register(client)
        first = code_for(limited, user["email"])

        resent = await client.post("/v1/auth/verify-email/resend", headers=user["headers"])
        second = code_for(limited, user["email"])
        await client.post("/v1/auth/verify-email/resend", headers=user["headers"])
        third = await client.post("/v1/auth/verify-email/resend", headers=user["headers"])

        assert resent.status_code == 202
        assert third.status_code == 429
        assert int(third.headers["retry-after"]) >= 1
        if first != second:
            stale = await client.post(
                "/v1/auth/verify-email", json={"code": first}, headers=user["headers"]
            )
            assert_problem(stale, 422)


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 456", 123456])
async def test_a_code_is_six_digits(client, code):
    user = await register(client)

    response = await client.post(
        "/v1/auth/verify-email", json={"code": code}, headers=user["headers"]
    )

    assert bad_fields(response) == {"body.code"}


async def test_a_password_change_tells_the_account_address(mailing):
    async with client_of(mailing) as client:
        user = await register(client)

        response = await client.post(
            "/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
            headers=user["headers"],
        )

        assert response.status_code == 204
        subjects = [m["Subject"] for m in mails_to(mailing, user["email"])]
        assert "Your Rebound password was changed" in subjects
