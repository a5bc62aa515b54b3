"""Password reset: a code by mail (a real SMTP server, or the development outbox), used once
to set a new password, which signs out every session."""

import logging
import re
import stat
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from tests.helpers import PASSWORD, RESET_SUBJECT, assert_problem, client_of, register
from tests.helpers import outbox as outbox_of
from tests.live_server import free_port

NEW_PASSWORD = "a brand new passphrase"
CODE = re.compile(r"Your reset code:\s+(\S+)")


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def code_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    match = CODE.search(body.get_content())
    assert match is not None
    return match[1]


async def request_reset(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/v1/auth/password-reset", json={"email": email})


async def confirm(client: httpx.AsyncClient, token: str, password: str) -> httpx.Response:
    return await client.post(
        "/v1/auth/password-reset/confirm", json={"token": token, "new_password": password}
    )


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


async def test_a_mailed_code_resets_the_password_and_signs_out_everywhere(
    app_with, smtp_server, caplog
):
    port, inbox = smtp_server
    mailing = app_with(
        smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none", mail_from="Rebound <r@example.com>"
    )
    caplog.set_level(logging.DEBUG)
    async with client_of(mailing) as client:
        user = await register(client)
        old_refresh = user["tokens"]["refresh_token"]

        requested = await request_reset(client, user["email"])

        assert requested.status_code == 202
        (message,) = [m for m in inbox.messages if m["Subject"] == RESET_SUBJECT]
        assert message["To"] == user["email"]
        assert message["From"] == "Rebound <r@example.com>"
        token = code_in(message)

        confirmed = await confirm(client, token, NEW_PASSWORD)
        assert confirmed.status_code == 204, confirmed.text

        assert (await sign_in(client, user["email"], NEW_PASSWORD)).status_code == 200
        assert_problem(await sign_in(client, user["email"], PASSWORD), 401)
        refused = await client.post("/v1/auth/refresh", json={"refresh_token": old_refresh})
        assert_problem(refused, 401)
        reused = await confirm(client, token, "yet another passphrase")

    problem = assert_problem(reused, 422)
    assert problem["type"].endswith("/invalid-reset-token")
    assert [error["field"] for error in problem["errors"]] == ["body.token"]
    # Everything the app logged (the test's own SMTP server, `mail.log`, logs what it receives).
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if not record.name.startswith("mail.log")
    )
    assert logged
    assert token not in logged
    assert "Your reset code" not in logged


async def test_the_answer_is_the_same_for_an_unknown_email_and_nothing_is_sent(
    app_with, smtp_server
):
    port, inbox = smtp_server
    mailing = app_with(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
    async with client_of(mailing) as client:
        user = await register(client)
        known = await request_reset(client, user["email"])
        unknown = await request_reset(client, "nobody-here@example.com")

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.headers["content-type"] == unknown.headers["content-type"]
    resets = [m for m in inbox.messages if m["Subject"] == RESET_SUBJECT]
    assert [message["To"] for message in resets] == [user["email"]]


async def test_in_development_the_mail_goes_to_the_outbox(app_with):
    outboxed = app_with(smtp_host=None)
    async with client_of(outboxed) as client:
        user = await register(client)
        await request_reset(client, user["email"])
        await request_reset(client, "nobody-here@example.com")

        files = outbox_of(outboxed, RESET_SUBJECT)
        assert len(files) == 1
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
        assert message["To"] == user["email"]
        confirmed = await confirm(client, code_in(message), NEW_PASSWORD)  # type: ignore[arg-type]

    assert confirmed.status_code == 204
    async with client_of(outboxed) as client:
        assert (await sign_in(client, user["email"], NEW_PASSWORD)).status_code == 200


async def test_only_a_hash_of_the_code_is_stored_and_an_expired_code_is_refused(app_with):
    outboxed = app_with(smtp_host=None)
    async with client_of(outboxed) as client:
        user = await register(client)
        await request_reset(client, user["email"])
        (eml,) = outbox_of(outboxed, RESET_SUBJECT)
        token = code_in(message_from_bytes(eml.read_bytes(), policy=policy.default))  # type: ignore[arg-type]
        async with outboxed.state.engine.begin() as connection:
            rows = (await connection.execute(text("SELECT * FROM password_reset_tokens"))).all()
            await connection.execute(
                text("UPDATE password_reset_tokens SET expires_at = created_at")
            )
        expired = await confirm(client, token, NEW_PASSWORD)

    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    assert assert_problem(expired, 422)["type"].endswith("/invalid-reset-token")


async def test_a_newer_code_and_an_unknown_code(app_with):
    outboxed = app_with(smtp_host=None)
    async with client_of(outboxed) as client:
        user = await register(client)
        await request_reset(client, user["email"])
        await request_reset(client, user["email"])
        first, second = (
            code_in(message_from_bytes(path.read_bytes(), policy=policy.default))  # type: ignore[arg-type]
            for path in outbox_of(outboxed, RESET_SUBJECT)
        )
        unknown = await confirm(client, "not-a-code-we-sent", NEW_PASSWORD)
        used = await confirm(client, second, NEW_PASSWORD)
        # Resetting with one code spends every other code of the account.
        other = await confirm(client, first, "yet another passphrase")

    assert assert_problem(unknown, 422)["type"].endswith("/invalid-reset-token")
    assert used.status_code == 204
    assert assert_problem(other, 422)["type"].endswith("/invalid-reset-token")


async def test_the_new_password_follows_the_sign_up_rules(client):
    response = await confirm(client, "whatever", "short")

    problem = assert_problem(response, 422)
    assert [error["field"] for error in problem["errors"]] == ["body.new_password"]


async def test_a_reset_lifts_the_sign_in_backoff(app_with):
    outboxed = app_with(smtp_host=None, login_backoff_after=2)
    async with client_of(outboxed) as client:
        user = await register(client)
        for _ in range(3):
            await sign_in(client, user["email"], "wrong password")
        assert (await sign_in(client, user["email"], PASSWORD)).status_code == 429
        await request_reset(client, user["email"])
        (eml,) = outbox_of(outboxed, RESET_SUBJECT)
        token = code_in(message_from_bytes(eml.read_bytes(), policy=policy.default))  # type: ignore[arg-type]
        await confirm(client, token, NEW_PASSWORD)

        assert (await sign_in(client, user["email"], NEW_PASSWORD)).status_code == 200


async def test_a_mail_server_that_cannot_be_reached_changes_nothing_for_the_client(
    app_with, caplog
):
    unreachable = app_with(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_tls="none")
    async with client_of(unreachable) as client:
        user = await register(client)
        known = await request_reset(client, user["email"])
        unknown = await request_reset(client, "nobody-here@example.com")

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert "password reset mail not sent: ConnectionRefusedError" in caplog.text
    assert user["email"] not in caplog.text
