"""Access tokens: every line of JWT code lives here. HS256 only, every claim checked."""

import base64
import binascii
import json
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from jose import JWTError, jwt

from app.core.config import Settings
from app.core.db import utcnow

ALGORITHM = "HS256"
ACCESS_TYPE = "access"
MAX_TOKEN_LENGTH = 2048  # ours are about 400 characters
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_HEADER = {"alg": ALGORITHM, "typ": "JWT"}  # the header python-jose writes for ours


class InvalidToken(Exception):
    pass


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID  # the session (sign-in) the token belongs to
    token_id: str
    expires: int  # seconds since the epoch


def create_access_token(
    settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime | None = None
) -> str:
    now = now or utcnow()
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=settings.access_token_minutes)).timestamp()),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "jti": uuid.uuid4().hex,
        "typ": ACCESS_TYPE,
    }
    return jwt.encode(claims, settings.secret, algorithm=ALGORITHM)


def _segment_bytes(segment: str) -> bytes:
    """A base64url segment without padding, in its one canonical spelling, decoded.
    python-jose would skip characters outside the alphabet and ignore unused trailing bits,
    so `<token>!!` or a last character changed within its unused bits would verify too."""
    if not _SEGMENT.fullmatch(segment) or len(segment) % 4 == 1:
        raise InvalidToken("not base64url")
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != segment:
        raise InvalidToken("not canonical base64url")
    return raw


def _check_shape(token: str) -> None:
    """Three canonical base64url segments, and exactly the header we write: no other
    algorithm, no key hints (kid, jku, jwk) for anything to follow."""
    segments = token.split(".")
    if len(token) > MAX_TOKEN_LENGTH or len(segments) != 3:
        raise InvalidToken("not a compact JWS")
    header, _payload, _signature = (_segment_bytes(segment) for segment in segments)
    if json.loads(header) != _HEADER:
        raise InvalidToken("unexpected header")


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    """Verify shape, signature, algorithm, expiry, issuer, audience and type, or raise
    InvalidToken."""
    try:
        _check_shape(token)
        claims = jwt.decode(
            token,
            settings.secret,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
                "require_aud": True,
                "require_iss": True,
                "require_jti": True,
            },
        )
        if claims.get("typ") != ACCESS_TYPE:
            raise InvalidToken("not an access token")
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            session_id=uuid.UUID(claims["sid"]),
            token_id=claims["jti"],
            expires=int(claims["exp"]),
        )
    except (JWTError, ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise InvalidToken(str(exc)) from exc


# Tokens this process verified, by token and the settings that verified them. A client sends
# the same access token with every request for its 15 minutes; an HMAC check, base64 and JSON
# decoding of it each time cost a list page a sixth of its CPU.
# Only tokens that passed every check get here, and a hit is refused once expired, so this
# accepts exactly what decode_access_token would. Bounded: emptied when full.
_VERIFIED: dict[tuple[str, str, str, str], AccessClaims] = {}
VERIFIED_CAPACITY = 10_000


def verified_access_claims(settings: Settings, token: str) -> AccessClaims:
    """decode_access_token, remembered for the token's lifetime."""
    key = (token, settings.secret, settings.jwt_issuer, settings.jwt_audience)
    claims = _VERIFIED.get(key)
    if claims is not None and time.time() < claims.expires:
        return claims
    claims = decode_access_token(settings, token)
    if len(_VERIFIED) >= VERIFIED_CAPACITY:
        _VERIFIED.clear()
    _VERIFIED[key] = claims
    return claims


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` value, read as OAuth2PasswordBearer does."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def bearer_user_id(settings: Settings, headers: Iterable[tuple[bytes, bytes]]) -> uuid.UUID | None:
    """The user of a valid `Authorization: Bearer` access token among raw ASGI headers."""
    for name, value in headers:
        if name == b"authorization":
            token = bearer_token(value.decode("latin-1"))
            if token is None:
                return None
            try:
                return verified_access_claims(settings, token).user_id
            except InvalidToken:
                return None
    return None
