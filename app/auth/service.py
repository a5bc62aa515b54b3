"""Sign-up, sign-in and the refresh-token lifecycle: rotation, reuse detection, revocation."""

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import RefreshToken, TokenPair
from app.auth.passwords import hash_password, verify_password
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import ProblemError
from app.core.identity import User
from app.core.security import create_access_token
from app.users.models import UserRegister

BAD_CREDENTIALS = "Incorrect email or password."
BAD_REFRESH = "This refresh token is not valid."


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_token(settings: Settings, token: str) -> str:
    """The keyed hash stored for a refresh or reset token (the token itself never is)."""
    return hmac.new(settings.secret.encode(), token.encode(), hashlib.sha256).hexdigest()


async def register(session: AsyncSession, body: UserRegister) -> User:
    now = utcnow()
    user = User(
        id=uuid.uuid4(),
        email=normalise_email(body.email),
        password_hash=await hash_password(body.password),
        display_name=body.display_name,
        timezone=body.timezone,
        weekly_goal=body.weekly_goal,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise ProblemError(409, "An account with this email exists.", slug="email-taken") from None
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User:
    """The user, or 401 with the same body and comparable time for unknown email or password."""
    if "\x00" in email:  # no account has it, and PostgreSQL cannot compare text holding it
        email = ""
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))  # type: ignore[arg-type]
    # Give the connection back before the hash: a sign-in waiting for a hashing thread must
    # not hold one that other requests need (the pool would run dry in a burst of sign-ins).
    await session.commit()
    if not await verify_password(password, user.password_hash if user else None) or user is None:
        raise ProblemError(401, BAD_CREDENTIALS, slug="invalid-credentials")
    return user


async def issue_tokens(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    family_id: uuid.UUID | None = None,
) -> tuple[TokenPair, RefreshToken]:
    now = utcnow()
    raw = secrets.token_urlsafe(32)
    row = RefreshToken(
        id=uuid.uuid4(),
        user_id=user_id,
        family_id=family_id or uuid.uuid4(),
        token_hash=hash_token(settings, raw),
        created_at=now,
        expires_at=now + timedelta(days=settings.refresh_token_days),
    )
    session.add(row)
    await session.flush()
    pair = TokenPair(
        access_token=create_access_token(settings, user_id, row.family_id, now),
        refresh_token=raw,
        expires_in=settings.access_token_minutes * 60,
    )
    return pair, row


async def revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))  # type: ignore[arg-type,union-attr]
        .values(revoked_at=utcnow())
    )


async def rotate(session: AsyncSession, settings: Settings, raw: str) -> TokenPair:
    """Exchange a refresh token for a new pair; a replayed, rotated token revokes its family."""
    now = utcnow()
    token = await session.scalar(
        select(RefreshToken).where(
            RefreshToken.token_hash == hash_token(settings, raw)  # type: ignore[arg-type]
        )
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise ProblemError(401, BAD_REFRESH, slug="invalid-refresh-token")
    # Claim the token atomically: of two concurrent uses, exactly one wins.
    claimed = await session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.id) == token.id, col(RefreshToken.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        pair, new = await issue_tokens(session, settings, token.user_id, token.family_id)
        token.replaced_by_id = new.id
        return pair
    await session.refresh(token)
    if await _within_grace(session, settings, token):
        # The client most likely lost the response: replace the unseen successor.
        assert token.replaced_by_id is not None
        await session.execute(
            update(RefreshToken)
            .where(col(RefreshToken.id) == token.replaced_by_id)
            .values(revoked_at=now)
        )
        pair, new = await issue_tokens(session, settings, token.user_id, token.family_id)
        token.replaced_by_id = new.id
        return pair
    await revoke_family(session, token.family_id)
    raise ProblemError(401, BAD_REFRESH, slug="refresh-token-reused", commit=True)


async def _within_grace(session: AsyncSession, settings: Settings, token: RefreshToken) -> bool:
    """True when `token` was rotated moments ago and its successor was never used."""
    if token.used_at is None or token.replaced_by_id is None:
        return False
    if utcnow() - token.used_at > timedelta(seconds=settings.refresh_reuse_grace_seconds):
        return False
    successor = await session.get(RefreshToken, token.replaced_by_id)
    return successor is not None and successor.used_at is None and successor.revoked_at is None


async def logout(session: AsyncSession, settings: Settings, raw: str) -> None:
    token = await session.scalar(
        select(RefreshToken).where(
            RefreshToken.token_hash == hash_token(settings, raw)  # type: ignore[arg-type]
        )
    )
    if token is not None:
        await revoke_family(session, token.family_id)


async def revoke_other_sessions(
    session: AsyncSession, user_id: uuid.UUID, keep_family: uuid.UUID | None
) -> None:
    query = update(RefreshToken).where(
        RefreshToken.user_id == user_id,  # type: ignore[arg-type]
        RefreshToken.revoked_at.is_(None),  # type: ignore[union-attr]
    )
    if keep_family is not None:
        query = query.where(RefreshToken.family_id != keep_family)  # type: ignore[arg-type]
    await session.execute(query.values(revoked_at=utcnow()))
