"""The profile: read, update, change password, erase."""

import functools
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, select, update

from app.auth.passwords import hash_password, verify_password
from app.core.database import Database, Executor, Row, first
from app.core.db import utcnow
from app.core.errors import ProblemError
from app.core.identity import User, account_gone
from app.sessions.service import end_sessions
from app.users.models import PROFILE_COLUMNS, ProfileUpdate

users = User.__table__.c  # type: ignore[attr-defined]
_ME = users.id == bindparam("user_id")

_GET = select(*PROFILE_COLUMNS).where(_ME)
_LOCKED = _GET.with_for_update()


async def get_user(executor: Executor, user_id: uuid.UUID) -> Row:
    """The profile fields and version of the caller's account."""
    user = await first(executor, _GET, {"user_id": user_id})
    if user is None:
        raise account_gone()
    return user


_TIMEZONE = select(users.timezone).where(_ME)


async def user_zone(executor: Executor, user_id: uuid.UUID) -> ZoneInfo:
    """The user's time zone (UTC when they set none)."""
    row = await first(executor, _TIMEZONE, {"user_id": user_id})
    if row is None:
        raise account_gone()
    return ZoneInfo(row[0] or "UTC")


@functools.cache
def _profile_update(names: frozenset[str]) -> Any:
    """The UPDATE of these profile fields (bound as `v_<name>`), built once per set."""
    values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in names}
    return (
        update(User)
        .where(_ME)
        .values(**values, version=users.version + 1, updated_at=bindparam("now"))
        .returning(*PROFILE_COLUMNS)
    )


async def locked_user(tx: Executor, user_id: uuid.UUID) -> Row:
    """The profile, its row locked until the transaction ends (PostgreSQL)."""
    user = await first(tx, _LOCKED, {"user_id": user_id})
    if user is None:
        raise account_gone()
    return user


async def update_profile(
    database: Database, user_id: uuid.UUID, body: ProfileUpdate, check: Callable[[Row], None]
) -> Row:
    """Apply the changes `body` holds; `check(user)` runs first (If-Match) under the row's lock."""
    changes = body.changes()
    async with database.transaction() as tx:
        user = await locked_user(tx, user_id)
        check(user)
        return await apply_profile(tx, user, changes) or user


async def apply_profile(tx: Executor, user: Row, changes: dict[str, Any]) -> Row | None:
    """Write the fields of `changes` that differ from `user` (version +1); None if none do."""
    changed = {k: v for k, v in changes.items() if user[k] != v}
    if not changed:
        return None
    values = {f"v_{k}": v for k, v in changed.items()} | {"user_id": user["id"], "now": utcnow()}
    return (await tx.rows(_profile_update(frozenset(changed)), values))[0]


_HASH = select(users.password_hash).where(_ME)


async def _checked_hash(database: Database, user_id: uuid.UUID, password: str) -> str:
    """The hash `password` was found to match, else 403. No connection is held during the
    hash, which may wait for a thread, so the caller writes only where the user's hash is
    still this one (`_changed_meanwhile` otherwise)."""
    row = await first(database, _HASH, {"user_id": user_id})
    if row is None:
        raise account_gone()
    if not await verify_password(password, row[0]):
        raise ProblemError(
            403,
            "`current_password` is not this account's password: enter the current one.",
            slug="wrong-password",
        )
    return row[0]


async def check_password(database: Database, user_id: uuid.UUID, password: str) -> None:
    """403 unless `password` is the account's."""
    await _checked_hash(database, user_id, password)


_ID = select(users.id).where(_ME)


async def _changed_meanwhile(executor: Executor, user_id: uuid.UUID) -> ProblemError:
    """The write found no user with the checked hash: erased, or the password changed."""
    if await first(executor, _ID, {"user_id": user_id}) is None:
        return account_gone()
    changed = "The password was changed meanwhile: this one is no longer correct."
    return ProblemError(403, changed, slug="wrong-password")


_STILL_CHECKED = users.password_hash == bindparam("checked")
_SET_PASSWORD = (
    update(User)
    .where(_ME, _STILL_CHECKED)
    .values(
        password_hash=bindparam("new_hash"), updated_at=bindparam("now"), version=users.version + 1
    )
    .returning(users.id)
)


async def change_password(
    database: Database, user_id: uuid.UUID, current: str, new: str, keep: uuid.UUID
) -> list[uuid.UUID]:
    """Set the new password and end every session but `keep`; the sessions ended."""
    checked = await _checked_hash(database, user_id, current)
    new_hash = await hash_password(new)
    now = utcnow()
    values = {"user_id": user_id, "checked": checked, "new_hash": new_hash, "now": now}
    async with database.transaction() as tx:
        if not await tx.rows(_SET_PASSWORD, values):
            raise await _changed_meanwhile(tx, user_id)
        return await end_sessions(tx, user_id, now, keep=keep)


_ERASE = delete(User).where(_ME, _STILL_CHECKED).returning(users.id)


async def erase_account(database: Database, user_id: uuid.UUID, password: str) -> list[uuid.UUID]:
    """Delete the user; every table's foreign key cascades, so no row of theirs remains.
    Returns the sessions this ended."""
    checked = await _checked_hash(database, user_id, password)
    async with database.transaction() as tx:
        ended = await end_sessions(tx, user_id, utcnow())
        if not await tx.rows(_ERASE, {"user_id": user_id, "checked": checked}):
            raise await _changed_meanwhile(tx, user_id)
    return ended
