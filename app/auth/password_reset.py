"""Forgotten passwords: a single-use, short-lived code by mail, then a new password.

The request answers the same whatever the email: the lookup, the token and the mail happen
after the response (`send_reset_mail` runs as a background task), so neither the body nor the
time taken tells whether an account exists. Only a keyed hash of the code is stored.

A code names its account (app/shared/routed_tokens.py), so using one reads that account's
codes only. Codes mailed before they did (migration 0009) are refused, not looked up by hash
alone: they lived 30 minutes, and whoever held one asks for another.
"""

import logging
import uuid
from datetime import timedelta

from sqlalchemy import Uuid, bindparam, insert, select, update

from app.auth.models import PasswordResetToken
from app.auth.passwords import hash_password
from app.auth.service import hash_token, normalise_email
from app.core import mail
from app.core.config import Settings
from app.core.database import Database, first
from app.core.db import UTCDateTime, utcnow
from app.core.errors import FieldError, ProblemError
from app.core.identity import User
from app.sessions.service import end_sessions
from app.shared.routed_tokens import owner_of, routed_token

logger = logging.getLogger("rebound.auth")

ACCEPTED = "If an account has this email, a code to reset its password is on its way."
INVALID_TOKEN = "This reset code is not valid: it is unknown, expired or already used."  # noqa: S105


users = User.__table__.c  # type: ignore[attr-defined]
codes = PasswordResetToken.__table__.c  # type: ignore[attr-defined]

_ACCOUNT = select(users.id).where(users.email == bindparam("email"))
# The code names the account, so its hash needs the account's id first; it is stored only if
# the account still has this email, which the mail goes to.
_ISSUE = (
    insert(PasswordResetToken)
    .from_select(
        ["id", "user_id", "token_hash", "created_at", "expires_at"],
        select(
            bindparam("id", type_=Uuid()),
            users.id,
            bindparam("token_hash", type_=codes.token_hash.type),
            bindparam("now", type_=UTCDateTime()),
            bindparam("expires_at", type_=UTCDateTime()),
        ).where(users.id == bindparam("user_id"), users.email == bindparam("email")),
    )
    .returning(codes.id)
)


async def send_reset_mail(database: Database, settings: Settings, email: str) -> None:
    """Mail a reset code to the account with `email`, if there is one. Never raises."""
    try:
        email = normalise_email(email)
        account = await first(database, _ACCOUNT, {"email": email})
        if account is None:
            return
        raw, now = routed_token(account["id"]), utcnow()
        issued = await database.rows(
            _ISSUE,
            {
                "id": uuid.uuid4(),
                "user_id": account["id"],
                "token_hash": hash_token(settings, raw),
                "now": now,
                "expires_at": now + timedelta(minutes=settings.password_reset_minutes),
                "email": email,
            },
        )
        if issued:
            await mail.send(settings, _reset_message(settings, email, raw))
    except Exception as exc:  # a background task: log (without the code or address) and go on
        logger.error("password reset mail not sent: %s", type(exc).__name__)


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


_USABLE = (codes.used_at.is_(None), codes.expires_at > bindparam("now"))
_CODE = select(codes.id, codes.user_id).where(
    codes.user_id == bindparam("owner_id"), codes.token_hash == bindparam("token_hash"), *_USABLE
)
# Claim the code atomically: of two concurrent uses, exactly one wins.
_CLAIM = (
    update(PasswordResetToken)
    .where(codes.user_id == bindparam("owner_id"), codes.id == bindparam("code_id"), *_USABLE)
    .values(used_at=bindparam("now"))
    .returning(codes.user_id)
)
_SET_PASSWORD = (
    update(User)
    .where(users.id == bindparam("user_id"))
    .values(
        password_hash=bindparam("password_hash"),
        updated_at=bindparam("now"),
        version=users.version + 1,
    )
    .returning(users.email)
)
# Every other code of the user stops working too.
_SPEND_CODES = (
    update(PasswordResetToken)
    .where(codes.user_id == bindparam("owner_id"), codes.used_at.is_(None))
    .values(used_at=bindparam("now"))
)


async def confirm_reset(
    database: Database, settings: Settings, raw: str, new_password: str
) -> tuple[str, list[uuid.UUID]]:
    """Use the code: set the new password, end every session; 422 for a bad code. Returns
    the account's email and the sessions ended."""
    owner_id = owner_of(raw)
    if owner_id is None:  # not a code we mail: refused without a query
        raise _invalid_code()
    values = {"owner_id": owner_id, "token_hash": hash_token(settings, raw), "now": utcnow()}
    code = await first(database, _CODE, values)
    if code is None:  # refused before the hash: a bad code costs no hashing
        raise _invalid_code()
    # No connection is held during the hash, which may wait for a thread: the claim below
    # checks the code again.
    new_hash = await hash_password(new_password)
    now = utcnow()
    async with database.transaction() as tx:
        key = {"owner_id": code["user_id"], "code_id": code["id"]}
        claimed = await first(tx, _CLAIM, key | {"now": now})
        if claimed is None:
            raise _invalid_code()
        user_id: uuid.UUID = claimed["user_id"]
        values = {"user_id": user_id, "password_hash": new_hash, "now": now}
        email: str = (await tx.rows(_SET_PASSWORD, values))[0]["email"]
        await tx.rows(_SPEND_CODES, {"owner_id": user_id, "now": now})
        ended = await end_sessions(tx, user_id, now)
    return email, ended


def _invalid_code() -> ProblemError:
    return ProblemError(
        422,
        INVALID_TOKEN,
        slug="invalid-reset-token",
        errors=[FieldError(field="body.token", message=INVALID_TOKEN, code="invalid_token")],
    )
