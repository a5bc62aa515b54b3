"""Access tokens a client (or an attacker) might present: only a well-formed, correctly signed
HS256 access token for an existing account opens GET /v1/me."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
from jose import jwt

from app.core import security as app_jwt
from tests.helpers import PASSWORD, assert_problem, bearer, client_of, register

DROP = object()


def claims_for(settings, user: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The claims the app issues for this user, with `changes` applied (DROP removes one)."""
    now = int(time.time())
    issued = jwt.get_unverified_claims(user["tokens"]["access_token"])
    claims = {
        "sub": user["user"]["id"],
        "sid": issued["sid"],
        "iat": now,
        "exp": now + 900,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "jti": uuid.uuid4().hex,
        "typ": "access",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not DROP}


def sign(settings, claims: dict[str, Any], algorithm: str = "HS256") -> str:
    return jwt.encode(claims, settings.secret, algorithm=algorithm)


def b64url(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


async def assert_refused(client, token: str) -> None:
    response = await client.get("/v1/me", headers=bearer(token))

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_hand_built_token_with_every_claim_right_is_accepted(client, settings):
    user = await register(client)

    response = await client.get(
        "/v1/me", headers=bearer(sign(settings, claims_for(settings, user)))
    )

    assert response.status_code == 200, response.text
    assert response.json()["id"] == user["user"]["id"]


async def test_no_token_at_all_is_refused(client):
    response = await client.get("/v1/me")

    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_an_unsigned_alg_none_token_is_refused(client, settings):
    user = await register(client)
    header = {"alg": "none", "typ": "JWT"}
    token = f"{b64url(header)}.{b64url(claims_for(settings, user))}."

    await assert_refused(client, token)


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
async def test_a_token_signed_with_another_algorithm_is_refused(client, settings, algorithm):
    user = await register(client)

    await assert_refused(client, sign(settings, claims_for(settings, user), algorithm))


async def test_a_token_with_a_tampered_signature_is_refused(client, settings):
    user = await register(client)
    header, payload, signature = sign(settings, claims_for(settings, user)).split(".")
    # Change the first character: the last one may only carry padding bits.
    forged = ("B" if signature[0] == "A" else "A") + signature[1:]

    await assert_refused(client, f"{header}.{payload}.{forged}")


async def test_a_token_with_a_tampered_payload_is_refused(client, settings):
    victim = await register(client)
    attacker = await register(client)
    header, _, signature = sign(settings, claims_for(settings, attacker)).split(".")
    payload = b64url(claims_for(settings, victim))

    await assert_refused(client, f"{header}.{payload}.{signature}")


async def test_a_token_signed_with_another_secret_is_refused(client, settings):
    user = await register(client)
    token = jwt.encode(claims_for(settings, user), "another-secret-" + "x" * 40, "HS256")

    await assert_refused(client, token)


async def test_an_expired_token_is_refused(client, settings):
    user = await register(client)
    an_hour_ago = int(time.time()) - 3600
    claims = claims_for(settings, user, iat=an_hour_ago, exp=an_hour_ago + 900)

    await assert_refused(client, sign(settings, claims))


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "aud", "iss", "jti", "sid"])
async def test_a_token_missing_a_required_claim_is_refused(client, settings, claim):
    user = await register(client)

    await assert_refused(client, sign(settings, claims_for(settings, user, **{claim: DROP})))


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "someone-else"},
        {"aud": "another-api"},
        {"typ": "refresh"},
        {"typ": DROP},
        {"sub": "not-a-uuid"},
    ],
    ids=["wrong-iss", "wrong-aud", "refresh-typ", "no-typ", "sub-not-uuid"],
)
async def test_a_token_with_a_wrong_claim_is_refused(client, settings, changes):
    user = await register(client)

    await assert_refused(client, sign(settings, claims_for(settings, user, **changes)))


def _last_char_variant(segment: str) -> str:
    """The segment with its last character changed only in bits base64 leaves unused: the
    same bytes to a lenient decoder, another string to a strict one."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused = {2: 4, 3: 2}[len(segment) % 4]
    index = alphabet.index(segment[-1])
    return segment[:-1] + alphabet[index ^ (1 << (unused - 1))]


def _with_header(settings, claims: dict[str, Any], **header: Any) -> str:
    """A token signed with the app's own secret under a header of the attacker's choosing."""
    fields = {
        name: value
        for name, value in {"alg": "HS256", "typ": "JWT", **header}.items()
        if value is not None
    }
    signing_input = f"{b64url(fields)}.{b64url(claims)}"
    mac = hmac.new(settings.secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


EDITED = {
    "appended-bangs": lambda token: token + "!!",
    "padding": lambda token: token + "=",
    "padded-payload": lambda token: token.replace(".", "==.", 1),
    "space-inside": lambda token: token[:20] + " " + token[20:],
    "non-ascii": lambda token: token[:-1] + "\u00e9",
    "unused-bits": lambda token: (
        token[: token.rindex(".") + 1] + _last_char_variant(token[token.rindex(".") + 1 :])
    ),
    "four-segments": lambda token: token + ".AAAA",
    "huge": lambda token: token + "A" * 100_000,
}

HEADERS = {
    "kid": {"kid": "../../dev/null"},
    "jku": {"jku": "http://attacker.example/keys"},
    "jwk": {"jwk": {"kty": "oct", "k": "QUFB"}},
    "rs256": {"alg": "RS256"},
    "no-typ": {"typ": None},
}


async def test_the_strict_checks_accept_a_token_signed_by_hand_under_our_header(client, settings):
    user = await register(client)
    token = _with_header(settings, claims_for(settings, user))

    response = await client.get("/v1/me", headers=bearer(token))

    assert response.status_code == 200, response.text


@pytest.mark.parametrize("edit", EDITED.values(), ids=EDITED.keys())
async def test_an_edited_copy_of_a_valid_token_is_refused(client, settings, edit):
    user = await register(client)
    crafted = edit(sign(settings, claims_for(settings, user)))

    if crafted.isascii():
        await assert_refused(client, crafted)
    else:  # httpx will not send non-ASCII headers; the app sees them as latin-1
        with pytest.raises(app_jwt.InvalidToken):
            app_jwt.decode_access_token(settings, crafted)


@pytest.mark.parametrize("header", HEADERS.values(), ids=HEADERS.keys())
async def test_a_token_signed_with_our_secret_under_another_header_is_refused(
    client, settings, header
):
    user = await register(client)

    await assert_refused(client, _with_header(settings, claims_for(settings, user), **header))


async def test_a_token_for_an_unknown_user_is_refused(client, settings):
    user = await register(client)
    claims = claims_for(settings, user, sub=str(uuid.uuid4()))

    await assert_refused(client, sign(settings, claims))


async def test_a_random_string_is_refused(client):
    await assert_refused(client, "this-is-not-a-jwt")


async def test_a_refresh_token_is_not_an_access_token(client):
    user = await register(client)

    await assert_refused(client, user["tokens"]["refresh_token"])


async def test_the_access_token_of_an_erased_account_stops_working(client):
    user = await register(client)
    erased = await client.request(
        "DELETE", "/v1/me", headers=user["headers"], json={"password": PASSWORD}
    )
    assert erased.status_code == 204, erased.text

    await assert_refused(client, user["tokens"]["access_token"])


# Verified tokens are remembered per process (app/core/security.py): remembering must accept
# exactly what a full check accepts.


async def test_a_remembered_token_is_refused_once_it_expires(client, settings):
    user = await register(client)
    now = int(time.time())
    token = sign(settings, claims_for(settings, user, iat=now, exp=now + 2))
    assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200

    while time.time() < now + 3:  # past the expiry second (the check compares whole seconds)
        await asyncio.sleep(0.1)

    await assert_refused(client, token)


async def test_a_token_remembered_by_one_app_is_refused_by_an_app_with_another_secret(
    client, settings, app_with
):
    user = await register(client)
    token = user["tokens"]["access_token"]
    assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200

    other = app_with(secret_key="another-secret-" + "y" * 40)
    async with client_of(other) as stranger:
        await assert_refused(stranger, token)


async def test_remembered_tokens_are_bounded(client, settings, monkeypatch):
    monkeypatch.setattr(app_jwt, "VERIFIED_CAPACITY", 3)
    monkeypatch.setattr(app_jwt, "_VERIFIED", {})
    user = await register(client)

    for _ in range(7):
        token = sign(settings, claims_for(settings, user))
        assert (await client.get("/v1/me", headers=bearer(token))).status_code == 200
        assert len(app_jwt._VERIFIED) <= 3
