"""Six-digit codes mailed to prove an address: at sign-up (`verify`) and for a new email
(`change`). One live code per user and purpose; it works once, for EMAIL_CODE_MINUTES, and is
dead after five tries, right or wrong. Stored only as a keyed hash of the user, the purpose
and the code, like reset codes: a database dump alone does not give them away."""

import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import and_, bindparam, delete, insert, update
from sqlmodel import Field, SQLModel

from app.auth.service import hash_token
from app.core.config import Settings
from app.core.database import Executor, first
from app.core.db import UTCDateTime

Purpose = Literal["verify", "change"]
TRIES = 5


class EmailCodeRow(SQLModel, table=True):
    __tablename__ = "email_codes"

    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    purpose: str = Field(max_length=16, primary_key=True)
    email: str = Field(max_length=320, description="The address the code was mailed to.")
    code_hash: str = Field(max_length=64)
    tries: int = Field(default=0)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


codes = EmailCodeRow.__table__.c  # type: ignore[attr-defined]
_MINE = and_(codes.user_id == bindparam("owner_id"), codes.purpose == bindparam("kind"))
_FORGET = delete(EmailCodeRow).where(_MINE)
_ISSUE = insert(EmailCodeRow)
# One try, counted atomically: concurrent guesses cannot share a try.
_TRY = (
    update(EmailCodeRow)
    .where(_MINE, codes.tries < TRIES, codes.expires_at > bindparam("now"))
    .values(tries=codes.tries + 1)
    .returning(codes.code_hash, codes.email)
)


def _hash(settings: Settings, user_id: uuid.UUID, purpose: Purpose, code: str) -> str:
    return hash_token(settings, f"{user_id}:{purpose}:{code}")


async def issue(
    tx: Executor,
    settings: Settings,
    user_id: uuid.UUID,
    purpose: Purpose,
    email: str,
    now: datetime,
) -> str:
    """A new code for `email` (any earlier one of this purpose stops working); the code."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    await tx.rows(_FORGET, {"owner_id": user_id, "kind": purpose})
    await tx.rows(
        _ISSUE,
        {
            "user_id": user_id,
            "purpose": purpose,
            "email": email,
            "code_hash": _hash(settings, user_id, purpose, code),
            "tries": 0,
            "created_at": now,
            "expires_at": now + timedelta(minutes=settings.email_code_minutes),
        },
    )
    return code


async def redeem(
    tx: Executor, settings: Settings, user_id: uuid.UUID, purpose: Purpose, code: str, now: datetime
) -> str | None:
    """The address the code was mailed to, and the code is spent; None for a wrong, expired or
    spent code, or one tried too often."""
    key = {"owner_id": user_id, "kind": purpose}
    tried = await first(tx, _TRY, key | {"now": now})
    if tried is None or not hmac.compare_digest(
        tried["code_hash"], _hash(settings, user_id, purpose, code)
    ):
        return None
    await tx.rows(_FORGET, key)
    return str(tried["email"])


async def forget(tx: Executor, user_id: uuid.UUID, purpose: Purpose) -> bool:
    """Cancel the live code of this purpose; whether there was one."""
    return bool(
        await tx.rows(_FORGET.returning(codes.user_id), {"owner_id": user_id, "kind": purpose})
    )
