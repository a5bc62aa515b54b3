"""Sessions start at sign-in, are touched by every refresh, and end together with their
refresh tokens. Every function that ends sessions returns their ids, which the caller hands
to the revocation list (app/core/revocations.py) once its transaction has committed: from then
on their access tokens are refused too."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Update, bindparam, insert, select, update

from app.auth.models import RefreshToken
from app.core.database import Executor, Row
from app.core.db import UTCDateTime
from app.sessions.models import Session

sessions = Session.__table__.c  # type: ignore[attr-defined]
tokens = RefreshToken.__table__.c  # type: ignore[attr-defined]

_START = insert(Session)
_TOUCH = (
    update(Session)
    .where(sessions.user_id == bindparam("owner_id"), sessions.id == bindparam("session_id"))
    .values(last_used_at=bindparam("now"))
)


async def start_session(
    executor: Executor, user_id: uuid.UUID, session_id: uuid.UUID, device: str, now: datetime
) -> None:
    values = {"user_id": user_id, "id": session_id, "device": device}
    await executor.rows(
        _START, values | {"created_at": now, "last_used_at": now, "revoked_at": None}
    )


async def touch(
    executor: Executor, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime
) -> None:
    await executor.rows(_TOUCH, {"owner_id": user_id, "session_id": session_id, "now": now})


def _ending(table: Any, columns: Any, id_column: Any) -> tuple[Update, Update, Update]:
    """Every open row of the owner's, then just `only`, then all but `keep`."""
    base = (
        update(table)
        .where(columns.user_id == bindparam("owner_id"), columns.revoked_at.is_(None))
        .values(revoked_at=bindparam("now"))
    )
    return (
        base,
        base.where(id_column == bindparam("only")),
        base.where(id_column != bindparam("keep")),
    )


_END_SESSIONS = [s.returning(sessions.id) for s in _ending(Session, sessions, sessions.id)]
_END_TOKENS = _ending(RefreshToken, tokens, tokens.family_id)


async def end_sessions(
    executor: Executor,
    user_id: uuid.UUID,
    now: datetime,
    *,
    only: uuid.UUID | None = None,
    keep: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """End the user's sessions (just `only`, or all but `keep`, or all) and revoke their
    refresh tokens; the ids of the sessions this ended."""
    which = 1 if only is not None else 2 if keep is not None else 0
    values: dict[str, object] = {"owner_id": user_id, "now": now}
    if only is not None:
        values["only"] = only
    if keep is not None:
        values["keep"] = keep
    ended = await executor.rows(_END_SESSIONS[which], values)
    await executor.rows(_END_TOKENS[which], values)
    return [row[0] for row in ended]


_ACTIVE = (
    select(sessions.id, sessions.device, sessions.created_at, sessions.last_used_at)
    .where(
        sessions.user_id == bindparam("owner_id"),
        sessions.revoked_at.is_(None),
        sessions.last_used_at > bindparam("since"),
    )
    .order_by(sessions.last_used_at.desc(), sessions.id)
)


async def active_sessions(
    executor: Executor, user_id: uuid.UUID, now: datetime, refresh_token_days: int
) -> list[Row]:
    """Sessions not ended whose refresh token may still be used."""
    since = now - timedelta(days=refresh_token_days)
    return list(await executor.rows(_ACTIVE, {"owner_id": user_id, "since": since}))


_ENDED_SINCE = select(sessions.id, sessions.revoked_at).where(
    sessions.revoked_at >= bindparam("since", type_=UTCDateTime())
)


def ended_since(executor: Executor) -> Callable[[float], Awaitable[list[tuple[uuid.UUID, float]]]]:
    """What a starting process reads into its revocation list: the sessions ended within the
    access tokens' lifetime, with when (maintenance: it reads every user's rows, once)."""

    async def load(since: float) -> list[tuple[uuid.UUID, float]]:
        moment = datetime.fromtimestamp(since, UTC)
        rows = await executor.rows(_ENDED_SINCE, {"since": moment})
        return [(row[0], row[1].timestamp()) for row in rows]

    return load
