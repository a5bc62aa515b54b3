"""Refresh tokens and reset codes name their account (`<routing>.<secret>`, the routing part
the account's id in base64url): a lookup reads that account's rows only, a routing part moved
onto another secret matches nothing, crafted routing parts are refused before any query, and
refresh tokens issued before keep working until they expire."""

import base64
import secrets
import uuid
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import httpx
import pytest
from jose import jwt
from sqlalchemy import select

from app.core.db import utcnow
from app.shared.routed_tokens import owner_of, routed_token
from app.tables import metadata
from tests.auth.test_password_reset import code_in, confirm, request_reset
from tests.helpers import RESET_SUBJECT, assert_problem, bearer, client_of, outbox, register
from tests.secret_scanner import refresh_token_hash
from tests.sql_capture import captured

NEW_PASSWORD = "a brand new passphrase"
SECRET = secrets.token_urlsafe(32)  # the shape of a secret part
INJECTION = "' OR 1=1--"


def routing_of(user_id: str) -> str:
    """How a client would read the account out of a token: base64url of the uuid's bytes."""
    return base64.urlsafe_b64encode(uuid.UUID(user_id).bytes).rstrip(b"=").decode()


def parts(token: str) -> tuple[str, str]:
    routing, secret = token.split(".")
    return routing, secret


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/v1/auth/refresh", json={"refresh_token": token})


def keyed_hash(app: Any, token: str) -> str:
    """How the server stores a token: HMAC-SHA256 of the whole token, keyed by SECRET_KEY."""
    return refresh_token_hash(app.state.settings.secret, token)


async def mailed_code(app: Any, client: httpx.AsyncClient, email: str) -> str:
    await request_reset(client, email)
    (eml,) = outbox(app, RESET_SUBJECT)
    return code_in(message_from_bytes(eml.read_bytes(), policy=policy.default))  # type: ignore[arg-type]


def token_lookups(statements: list[tuple[str, Any]], table: str) -> list[str]:
    """The SELECTs that find a row of `table` by its token hash."""
    return [
        " ".join(sql.split())
        for sql, _ in statements
        if sql.lstrip().upper().startswith("SELECT")
        and f"FROM {table}" in sql
        and "token_hash" in sql
    ]


# The shape


async def test_the_refresh_tokens_of_sign_up_sign_in_and_refresh_name_the_account(client):
    user = await register(client)
    signed_in = await client.post(
        "/v1/auth/token", data={"username": user["email"], "password": "correct horse battery"}
    )
    refreshed = await refresh(client, user["tokens"]["refresh_token"])

    tokens = [
        user["tokens"]["refresh_token"],
        signed_in.json()["refresh_token"],
        refreshed.json()["refresh_token"],
    ]
    for token in tokens:
        routing, secret = parts(token)
        assert routing == routing_of(user["user"]["id"])
        assert len(secret) == 43  # 32 random bytes, as before
        assert token == httpx.URL(f"/x?t={token}").params["t"]  # nothing to escape in a URL
    assert len({parts(token)[1] for token in tokens}) == 3


async def test_a_mailed_reset_code_names_the_account(app_with):
    mailing = app_with(smtp_host=None)
    async with client_of(mailing) as client:
        user = await register(client)
        code = await mailed_code(mailing, client, user["email"])

        used = await confirm(client, code, NEW_PASSWORD)

    assert parts(code)[0] == routing_of(user["user"]["id"])
    assert used.status_code == 204, used.text


def test_a_token_names_only_the_account_it_was_made_for():
    owner = uuid.uuid4()
    token = routed_token(owner)

    assert owner_of(token) == owner
    assert owner_of(token + "A") is None
    assert owner_of(token[:-1]) is None
    assert owner_of(token.replace(".", "~")) is None
    assert owner_of(token.replace(".", "A" * 100_000)) is None


# Another account's routing part


async def test_a_refresh_token_moved_onto_another_account_is_refused(client):
    alice, bob = await register(client), await register(client)
    alice_routing, alice_secret = parts(alice["tokens"]["refresh_token"])
    bob_routing, bob_secret = parts(bob["tokens"]["refresh_token"])

    onto_bob = await refresh(client, f"{bob_routing}.{alice_secret}")
    onto_alice = await refresh(client, f"{alice_routing}.{bob_secret}")

    assert assert_problem(onto_bob, 401)["type"].endswith("/invalid-refresh-token")
    assert assert_problem(onto_alice, 401)["type"].endswith("/invalid-refresh-token")
    # Nothing was spent or revoked: both real tokens still work.
    assert (await refresh(client, alice["tokens"]["refresh_token"])).status_code == 200
    assert (await refresh(client, bob["tokens"]["refresh_token"])).status_code == 200


async def test_a_logout_with_another_accounts_routing_part_ends_nothing(client):
    alice, bob = await register(client), await register(client)
    _, alice_secret = parts(alice["tokens"]["refresh_token"])

    response = await client.post(
        "/v1/auth/logout",
        json={"refresh_token": f"{parts(bob['tokens']['refresh_token'])[0]}.{alice_secret}"},
    )

    assert response.status_code == 204
    assert (await client.get("/v1/me", headers=alice["headers"])).status_code == 200
    assert (await client.get("/v1/me", headers=bob["headers"])).status_code == 200


async def test_a_reset_code_moved_onto_another_account_is_refused(app_with):
    mailing = app_with(smtp_host=None)
    async with client_of(mailing) as client:
        alice, bob = await register(client), await register(client)
        code = await mailed_code(mailing, client, alice["email"])
        moved = f"{routing_of(bob['user']['id'])}.{parts(code)[1]}"

        refused = await confirm(client, moved, NEW_PASSWORD)
        used = await confirm(client, code, NEW_PASSWORD)

    assert assert_problem(refused, 422)["type"].endswith("/invalid-reset-token")
    assert used.status_code == 204, used.text


# Crafted routing parts


def _unused_bits_set(routing: str) -> str:
    """The same 16 bytes, spelt with the last character's 4 unused bits set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return routing[:-1] + alphabet[alphabet.index(routing[-1]) | 0b1111]


CRAFTED = {
    "empty": f".{SECRET}",
    "no-dot": "A" * 22 + SECRET,
    "21-chars": f"{'A' * 21}.{SECRET}",
    "23-chars": f"{'A' * 23}.{SECRET}",
    "uuid-hex": f"{uuid.uuid4().hex}.{SECRET}",
    "uuid-text": f"{uuid.uuid4()}.{SECRET}",
    "padded": f"{'A' * 22}==.{SECRET}",
    "non-ascii": f"{'é' * 22}.{SECRET}",
    "sql": f"{INJECTION:<22}.{SECRET}",
    "two-dots": f"{'A' * 22}.{SECRET[:20]}.{SECRET[21:]}",
    "newline": f"{'A' * 22}.{SECRET}\n",
    "short-secret": f"{'A' * 22}.{SECRET[:-1]}",
    "percent-encoded": f"{'A' * 22}%2E{SECRET}",
}


@pytest.mark.parametrize("token", CRAFTED.values(), ids=CRAFTED.keys())
async def test_a_crafted_routing_part_is_refused_without_a_query(app, client, token):
    user = await register(client)

    with captured(app) as statements:
        refused = await refresh(client, token)
        logged_out = await client.post("/v1/auth/logout", json={"refresh_token": token})

    assert assert_problem(refused, 401)["type"].endswith("/invalid-refresh-token")
    assert logged_out.status_code == 204
    assert not any("refresh_tokens" in sql for sql, _ in statements)
    assert (await refresh(client, user["tokens"]["refresh_token"])).status_code == 200


async def test_a_routing_part_with_its_unused_bits_set_is_refused_without_a_query(app, client):
    user = await register(client)
    routing, secret = parts(user["tokens"]["refresh_token"])

    with captured(app) as statements:
        refused = await refresh(client, f"{_unused_bits_set(routing)}.{secret}")

    assert assert_problem(refused, 401)["type"].endswith("/invalid-refresh-token")
    assert not any("refresh_tokens" in sql for sql, _ in statements)


async def test_a_well_formed_routing_part_of_no_account_is_refused(client):
    response = await refresh(client, routed_token(uuid.uuid4()))

    assert assert_problem(response, 401)["type"].endswith("/invalid-refresh-token")


# Refused by the request bodies' rules (maxLength 200, no NUL) before the service sees them.
REFUSED_AS_INPUT = {"100-kB": f"{'A' * 100_000}.{SECRET}", "nul": f"{chr(0) * 22}.{SECRET}"}


@pytest.mark.parametrize("token", REFUSED_AS_INPUT.values(), ids=REFUSED_AS_INPUT.keys())
@pytest.mark.parametrize("route", ["refresh", "reset"])
async def test_a_token_the_body_rules_refuse_is_a_validation_error_without_a_query(
    app, client, route, token
):
    with captured(app) as statements:
        if route == "refresh":
            response = await refresh(client, token)
        else:
            response = await confirm(client, token, NEW_PASSWORD)

    field = "body.refresh_token" if route == "refresh" else "body.token"
    assert [error["field"] for error in assert_problem(response, 422)["errors"]] == [field]
    assert statements == []


@pytest.mark.parametrize("token", CRAFTED.values(), ids=CRAFTED.keys())
async def test_a_crafted_reset_code_is_refused_without_a_query(app, client, token):
    with captured(app) as statements:
        response = await confirm(client, token, NEW_PASSWORD)

    assert assert_problem(response, 422)["type"].endswith("/invalid-reset-token")
    assert not any("password_reset_tokens" in sql for sql, _ in statements)


# One account's rows


async def test_the_refresh_lookup_reads_one_accounts_rows(app, client):
    user = await register(client)

    with captured(app) as statements:
        response = await refresh(client, user["tokens"]["refresh_token"])

    assert response.status_code == 200, response.text
    (lookup,) = token_lookups(statements, "refresh_tokens")
    where = lookup.split(" WHERE ", 1)[1]
    assert "refresh_tokens.user_id = " in where
    assert "refresh_tokens.token_hash = " in where


async def test_the_reset_lookup_reads_one_accounts_rows(app_with):
    mailing = app_with(smtp_host=None)
    async with client_of(mailing) as client:
        user = await register(client)
        code = await mailed_code(mailing, client, user["email"])

        with captured(mailing) as statements:
            response = await confirm(client, code, NEW_PASSWORD)

    assert response.status_code == 204, response.text
    (lookup,) = token_lookups(statements, "password_reset_tokens")
    where = lookup.split(" WHERE ", 1)[1]
    assert "password_reset_tokens.user_id = " in where
    assert "password_reset_tokens.token_hash = " in where


# Tokens issued before tokens named their account


async def _store_legacy_refresh_token(app: Any, user: dict[str, Any]) -> str:
    """A refresh token as the server issued them before: 43 characters, stored by hash."""
    legacy = secrets.token_urlsafe(32)
    now = utcnow()
    session_id = jwt.get_unverified_claims(user["tokens"]["access_token"])["sid"]
    async with app.state.engine.begin() as connection:
        await connection.execute(
            metadata.tables["refresh_tokens"]
            .insert()
            .values(
                id=uuid.uuid4(),
                user_id=uuid.UUID(user["user"]["id"]),
                family_id=uuid.UUID(session_id),
                token_hash=keyed_hash(app, legacy),
                created_at=now,
                expires_at=now + timedelta(days=30),
            )
        )
    return legacy


async def test_a_refresh_token_issued_before_still_refreshes_into_one_that_names_the_account(
    app, client
):
    user = await register(client)
    legacy = await _store_legacy_refresh_token(app, user)

    response = await refresh(client, legacy)

    assert response.status_code == 200, response.text
    pair = response.json()
    assert parts(pair["refresh_token"])[0] == routing_of(user["user"]["id"])
    assert (await client.get("/v1/me", headers=bearer(pair["access_token"]))).status_code == 200
    assert (await refresh(client, pair["refresh_token"])).status_code == 200


async def test_a_refresh_token_issued_before_still_logs_out(client, app):
    user = await register(client)
    legacy = await _store_legacy_refresh_token(app, user)

    response = await client.post("/v1/auth/logout", json={"refresh_token": legacy})

    assert response.status_code == 204
    assert_problem(await client.get("/v1/me", headers=user["headers"]), 401)


async def test_an_expired_refresh_token_issued_before_is_refused(app, client):
    user = await register(client)
    legacy = await _store_legacy_refresh_token(app, user)
    tokens = metadata.tables["refresh_tokens"]
    async with app.state.engine.begin() as connection:
        await connection.execute(
            tokens.update()
            .where(tokens.c.token_hash == keyed_hash(app, legacy))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    response = await refresh(client, legacy)

    assert assert_problem(response, 401)["type"].endswith("/invalid-refresh-token")


async def test_a_reset_code_mailed_before_is_refused(app_with):
    """Refused rather than looked up by hash alone: it lived 30 minutes, and a new one is a
    request away."""
    mailing = app_with(smtp_host=None)
    async with client_of(mailing) as client:
        user = await register(client)
        legacy = secrets.token_urlsafe(32)
        now = utcnow()
        async with mailing.state.engine.begin() as connection:
            await connection.execute(
                metadata.tables["password_reset_tokens"]
                .insert()
                .values(
                    id=uuid.uuid4(),
                    user_id=uuid.UUID(user["user"]["id"]),
                    token_hash=keyed_hash(mailing, legacy),
                    created_at=now,
                    expires_at=now + timedelta(minutes=30),
                )
            )

        response = await confirm(client, legacy, NEW_PASSWORD)

        async with mailing.state.engine.connect() as connection:
            codes = metadata.tables["password_reset_tokens"]
            (used_at,) = (await connection.execute(select(codes.c.used_at))).one()

    assert assert_problem(response, 422)["type"].endswith("/invalid-reset-token")
    assert used_at is None
