"""Sign-up, sign-in and the refresh-token lifecycle: rotation, reuse detection, revocation."""

import hashlib
import hmac
import re
import uuid
from datetime import timedelta

from sqlalchemy import bindparam, insert, select, update

from app.auth.models import RefreshToken, TokenPair
from app.auth.passwords import hash_password, verify_password
from app.core.config import Settings
from app.core.database import ConstraintViolated, Database, Executor, Row, first
from app.core.db import utcnow
from app.core.errors import ProblemError
from app.core.identity import User
from app.core.security import create_access_token
from app.sessions.device import device_label
from app.sessions.service import end_sessions, start_session, touch
from app.shared.routed_tokens import owner_of, routed_token
from app.users.models import PROFILE_COLUMNS, UserRegister

BAD_CREDENTIALS = (
    "Incorrect email or password: check both, or reset the password with "
    "POST /v1/auth/password-reset."
)
BAD_REFRESH = (
    "This refresh token is not valid (expired, already used, or its session ended): sign in "
    "again with POST /v1/auth/token."
)

users = User.__table__.c  # type: ignore[attr-defined]
tokens = RefreshToken.__table__.c  # type: ignore[attr-defined]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_token(settings: Settings, token: str) -> str:
    """The keyed hash stored for a refresh or reset token (the token itself never is): of the
    whole token, routing part included."""
    return hmac.new(settings.secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def email_taken() -> ProblemError:
    return ProblemError(
        409,
        "An account with this email exists: sign in, or reset its password with "
        "POST /v1/auth/password-reset.",
        slug="email-taken",
    )


_INSERT_USER = insert(User).returning(*PROFILE_COLUMNS)


async def register(
    database: Database, settings: Settings, body: UserRegister, user_agent: str | None
) -> tuple[Row, TokenPair]:
    """The new account's profile and the tokens of its first session."""
    password_hash = await hash_password(body.password)  # before a connection is taken
    now = utcnow()
    values = {
        "id": uuid.uuid4(),
        "email": normalise_email(body.email),
        "password_hash": password_hash,
        "display_name": body.display_name,
        "timezone": body.timezone,
        "weekly_goal": body.weekly_goal,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "change_seq": 0,
        "email_verified": False,
    }
    async with database.transaction() as tx:
        try:
            user = (await tx.rows(_INSERT_USER, values))[0]
        except ConstraintViolated:
            raise email_taken() from None
        pair, _ = await issue_tokens(tx, settings, user["id"], user_agent=user_agent)
    return user, pair


_BY_EMAIL = select(users.id, users.password_hash).where(users.email == bindparam("email"))


async def authenticate(database: Database, email: str, password: str) -> uuid.UUID:
    """The user's id, or 401 with the same body and comparable time for an unknown email or a
    wrong password. No connection is held during the hash: a sign-in waiting for a hashing
    thread must not hold one that other requests need."""
    if "\x00" in email:  # no account has it, and PostgreSQL cannot compare text holding it
        email = ""
    user = await first(database, _BY_EMAIL, {"email": normalise_email(email)})
    if not await verify_password(password, user["password_hash"] if user else None) or not user:
        raise ProblemError(401, BAD_CREDENTIALS, slug="invalid-credentials")
    return user["id"]


_INSERT_TOKEN = insert(RefreshToken)


async def sign_in(
    database: Database, settings: Settings, user_id: uuid.UUID, user_agent: str | None
) -> TokenPair:
    """A new session on the device this User-Agent names, and its first token pair."""
    async with database.transaction() as tx:
        pair, _ = await issue_tokens(tx, settings, user_id, user_agent=user_agent)
    return pair


async def issue_tokens(
    executor: Executor,
    settings: Settings,
    user_id: uuid.UUID,
    family_id: uuid.UUID | None = None,
    user_agent: str | None = None,
) -> tuple[TokenPair, uuid.UUID]:
    """A new token pair in the session `family_id` (a new session, on the device this
    User-Agent names, without one), and the id of its stored refresh token."""
    now = utcnow()
    raw = routed_token(user_id)
    token_id = uuid.uuid4()
    if family_id is None:
        family_id = uuid.uuid4()
        await start_session(executor, user_id, family_id, device_label(user_agent), now)
    else:
        await touch(executor, user_id, family_id, now)
    await executor.rows(
        _INSERT_TOKEN,
        {
            "id": token_id,
            "user_id": user_id,
            "family_id": family_id,
            "token_hash": hash_token(settings, raw),
            "created_at": now,
            "expires_at": now + timedelta(days=settings.refresh_token_days),
            "used_at": None,
            "revoked_at": None,
            "replaced_by_id": None,
        },
    )
    pair = TokenPair(
        access_token=create_access_token(settings, user_id, family_id, now),
        refresh_token=raw,
        expires_in=settings.access_token_minutes * 60,
    )
    return pair, token_id


_TOKEN = select(
    tokens.id,
    tokens.user_id,
    tokens.family_id,
    tokens.expires_at,
    tokens.used_at,
    tokens.revoked_at,
    tokens.replaced_by_id,
)
_TOKEN_BY_HASH = _TOKEN.where(
    tokens.user_id == bindparam("owner_id"), tokens.token_hash == bindparam("hash")
)
# Refresh tokens issued before they named their account (migration 0009) were
# `secrets.token_urlsafe(32)`: 43 characters, no dot. Phones in the field hold them and cannot
# be recalled, so they are still found by hash alone; the first refresh trades one for a token
# that names its account. The last expires REFRESH_TOKEN_DAYS after 0009 was deployed: then
# this lookup and the index on token_hash alone can go.
LEGACY = re.compile(r"[A-Za-z0-9_-]{43}")
_LEGACY_TOKEN_BY_HASH = _TOKEN.where(tokens.token_hash == bindparam("hash"))
_TOKEN_BY_ID = _TOKEN.where(
    tokens.user_id == bindparam("owner_id"), tokens.id == bindparam("token_id")
)
# Claim the token atomically: of two concurrent uses, exactly one wins.
_CLAIM = (
    update(RefreshToken)
    .where(
        tokens.user_id == bindparam("owner_id"),
        tokens.id == bindparam("token_id"),
        tokens.used_at.is_(None),
    )
    .values(used_at=bindparam("now"))
    .returning(tokens.id)
)
_REPLACED_BY = (
    update(RefreshToken)
    .where(tokens.user_id == bindparam("owner_id"), tokens.id == bindparam("token_id"))
    .values(replaced_by_id=bindparam("successor"))
)


class Reused(Exception):
    """A rotated refresh token came back after the grace window: its session was ended."""

    def __init__(self, session_ids: list[uuid.UUID]) -> None:
        self.session_ids = session_ids


def reused() -> ProblemError:
    return ProblemError(401, BAD_REFRESH, slug="refresh-token-reused")


async def rotate(database: Database, settings: Settings, raw: str) -> TokenPair:
    """Exchange a refresh token for a new pair; a replayed, rotated token ends its session
    and raises Reused once that has committed (the router then answers 401)."""
    async with database.transaction() as tx:
        pair = await _rotated(tx, settings, raw)
    if isinstance(pair, Reused):
        raise pair
    return pair


async def _find(tx: Executor, settings: Settings, raw: str) -> Row | None:
    """The stored row of refresh token `raw`, read among its account's rows only (a token
    issued before 0009: by hash alone). A token in neither shape is unknown without a query."""
    owner_id = owner_of(raw)
    if owner_id is not None:
        return await first(
            tx, _TOKEN_BY_HASH, {"owner_id": owner_id, "hash": hash_token(settings, raw)}
        )
    if LEGACY.fullmatch(raw):
        return await first(tx, _LEGACY_TOKEN_BY_HASH, {"hash": hash_token(settings, raw)})
    return None


async def _rotated(tx: Executor, settings: Settings, raw: str) -> TokenPair | Reused:
    now = utcnow()
    token = await _find(tx, settings, raw)
    if token is None or token["revoked_at"] is not None or token["expires_at"] <= now:
        raise ProblemError(401, BAD_REFRESH, slug="invalid-refresh-token")
    key = {"owner_id": token["user_id"], "token_id": token["id"]}
    if await first(tx, _CLAIM, key | {"now": now}) is None:
        token = (await tx.rows(_TOKEN_BY_ID, key))[0]  # as it is now
        if not await _within_grace(tx, settings, token):
            return Reused(await end_sessions(tx, token["user_id"], now, only=token["family_id"]))
        # Another refresh of this token moments ago: the same client racing itself (a phone
        # waking several requests at once) or retrying a lost response. Each gets a working
        # pair of its own in the same session; none is revoked, so no racer signs out.
        pair, _ = await issue_tokens(tx, settings, token["user_id"], token["family_id"])
        return pair
    pair, successor = await issue_tokens(tx, settings, token["user_id"], token["family_id"])
    await tx.rows(_REPLACED_BY, key | {"successor": successor})
    return pair


async def _within_grace(tx: Executor, settings: Settings, token: Row) -> bool:
    """True when `token` was rotated moments ago and its successor was never used."""
    if token["used_at"] is None or token["replaced_by_id"] is None:
        return False
    if utcnow() - token["used_at"] > timedelta(seconds=settings.refresh_reuse_grace_seconds):
        return False
    successor = await first(
        tx, _TOKEN_BY_ID, {"owner_id": token["user_id"], "token_id": token["replaced_by_id"]}
    )
    return (
        successor is not None and successor["used_at"] is None and successor["revoked_at"] is None
    )


async def logout(database: Database, settings: Settings, raw: str) -> list[uuid.UUID]:
    """End the session of this refresh token (an unknown token changes nothing); its id."""
    async with database.transaction() as tx:
        token = await _find(tx, settings, raw)
        if token is None:
            return []
        return await end_sessions(tx, token["user_id"], utcnow(), only=token["family_id"])
