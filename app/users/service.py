"""The profile: read, update, change password, erase."""

import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.passwords import hash_password, verify_password
from app.auth.service import normalise_email, revoke_other_sessions
from app.core.database import Executor, first
from app.core.db import utcnow
from app.core.errors import ProblemError
from app.core.identity import User, account_gone
from app.users.models import ProfileUpdate


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise account_gone()
    return user


_TIMEZONE = select(col(User.timezone)).where(col(User.id) == bindparam("user_id"))


async def user_zone(executor: Executor, user_id: uuid.UUID) -> ZoneInfo:
    """The user's time zone (UTC when they set none)."""
    row = await first(executor, _TIMEZONE, {"user_id": user_id})
    if row is None:
        raise account_gone()
    return ZoneInfo(row[0] or "UTC")


async def update_profile(session: AsyncSession, user: User, body: ProfileUpdate) -> User:
    changes = body.changes()
    if "email" in changes:
        changes["email"] = normalise_email(changes["email"])
    changes = {k: v for k, v in changes.items() if getattr(user, k) != v}
    if not changes:
        return user
    for name, value in changes.items():
        setattr(user, name, value)
    user.version += 1
    user.updated_at = utcnow()
    try:
        await session.flush()
    except IntegrityError:
        raise ProblemError(409, "An account with this email exists.", slug="email-taken") from None
    return user


async def _checked_hash(session: AsyncSession, user: User, password: str) -> str:
    """The hash `password` was found to match, else 403. The connection is given back during
    the hash, which may wait for a thread, so the caller writes only where the user's hash is
    still this one (`_changed_meanwhile` otherwise)."""
    hashed = user.password_hash
    await session.commit()
    if not await verify_password(password, hashed):
        raise ProblemError(403, "The password is not correct.", slug="wrong-password")
    return hashed


async def _changed_meanwhile(session: AsyncSession, user_id: uuid.UUID) -> ProblemError:
    """The write found no user with the checked hash: erased, or the password changed."""
    if await session.scalar(select(col(User.id)).where(col(User.id) == user_id)) is None:
        return account_gone()
    changed = "The password was changed meanwhile: this one is no longer correct."
    return ProblemError(403, changed, slug="wrong-password")


async def change_password(
    session: AsyncSession, user: User, current: str, new: str, keep_family: uuid.UUID | None
) -> None:
    checked = await _checked_hash(session, user, current)
    new_hash = await hash_password(new)
    changed = await session.execute(
        update(User)
        .where(col(User.id) == user.id, col(User.password_hash) == checked)
        .values(password_hash=new_hash, updated_at=utcnow(), version=col(User.version) + 1)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise await _changed_meanwhile(session, user.id)
    await revoke_other_sessions(session, user.id, keep_family)


async def erase_account(session: AsyncSession, user: User, password: str) -> None:
    """Delete the user; every table's foreign key cascades, so no row of theirs remains."""
    checked = await _checked_hash(session, user, password)
    erased = await session.execute(
        delete(User).where(col(User.id) == user.id, col(User.password_hash) == checked)
    )
    if erased.rowcount != 1:  # type: ignore[attr-defined]
        raise await _changed_meanwhile(session, user.id)
