"""Forgotten passwords: a single-use, short-lived code by mail, then a new password.

The request answers the same whatever the email: the lookup, the token and the mail happen
after the response (`send_reset_mail` runs as a background task), so neither the body nor the
time taken tells whether an account exists. Only a keyed hash of the code is stored.
"""

import logging
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.auth.models import PasswordResetToken
from app.auth.passwords import hash_password
from app.auth.service import hash_token, normalise_email, revoke_other_sessions
from app.core import mail
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import FieldError, ProblemError
from app.core.identity import User

logger = logging.getLogger("rebound.auth")

ACCEPTED = "If an account has this email, a code to reset its password is on its way."
INVALID_TOKEN = "This reset code is not valid: it is unknown, expired or already used."  # noqa: S105


async def send_reset_mail(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, email: str
) -> None:
    """Mail a reset code to the account with `email`, if there is one. Never raises."""
    try:
        async with sessions() as session:
            raw = await _issue_token(session, settings, normalise_email(email))
            await session.commit()
        if raw is not None:
            await mail.send(settings, _reset_message(settings, normalise_email(email), raw))
    except Exception as exc:  # a background task: log (without the code or address) and go on
        logger.error("password reset mail not sent: %s", type(exc).__name__)


async def _issue_token(session: AsyncSession, settings: Settings, email: str) -> str | None:
    user_id = await session.scalar(select(col(User.id)).where(col(User.email) == email))
    if user_id is None:
        return None
    now = utcnow()
    raw = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            id=uuid.uuid4(),
            user_id=user_id,
            token_hash=hash_token(settings, raw),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.password_reset_minutes),
        )
    )
    await session.flush()
    return raw


def _reset_message(settings: Settings, email: str, raw: str) -> mail.EmailMessage:
    link = (
        f"\nOr open this link:\n\n    {settings.password_reset_url}?token={raw}\n"
        if (settings.password_reset_url)
        else ""
    )
    text = (
        "Someone, hopefully you, asked to reset the password of your Rebound account.\n\n"
        f"Your reset code:\n\n    {raw}\n{link}\n"
        f"It works once, within {settings.password_reset_minutes} minutes, and signs you out "
        "everywhere.\nIf you did not ask for it, ignore this mail: your password stays as it is.\n"
    )
    return mail.compose(settings, email, "Reset your Rebound password", text)


async def confirm_reset(
    session: AsyncSession, settings: Settings, raw: str, new_password: str
) -> User:
    """Use the code: set the new password, sign out every session; 422 for a bad code."""
    token_id = await session.scalar(
        select(col(PasswordResetToken.id)).where(
            col(PasswordResetToken.token_hash) == hash_token(settings, raw),
            col(PasswordResetToken.used_at).is_(None),
            col(PasswordResetToken.expires_at) > utcnow(),
        )
    )
    if token_id is None:  # refused before the hash: a bad code costs no hashing
        raise _invalid_code()
    # Give the connection back during the hash, which may wait for a thread: the claim
    # below checks the code again.
    await session.commit()
    new_hash = await hash_password(new_password)
    now = utcnow()
    # Claim the code atomically: of two concurrent uses, exactly one wins.
    claimed = await session.execute(
        update(PasswordResetToken)
        .where(
            col(PasswordResetToken.id) == token_id,
            col(PasswordResetToken.used_at).is_(None),
            col(PasswordResetToken.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(PasswordResetToken.user_id))
    )
    user_id = claimed.scalar_one_or_none()
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise _invalid_code()
    user.password_hash = new_hash
    user.updated_at = now
    user.version += 1
    # Every other code of the user stops working too, and so does every session.
    await session.execute(
        update(PasswordResetToken)
        .where(
            col(PasswordResetToken.user_id) == user.id,
            col(PasswordResetToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
    await revoke_other_sessions(session, user.id, None)
    await session.flush()
    return user


def _invalid_code() -> ProblemError:
    return ProblemError(
        422,
        INVALID_TOKEN,
        slug="invalid-reset-token",
        errors=[FieldError(field="body.token", message=INVALID_TOKEN, code="invalid_token")],
    )
