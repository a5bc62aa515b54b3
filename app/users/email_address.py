"""The account's email, changed as a bank changes it: the password, then a code mailed to the
new address; the old address is told at each step. Sign-up mails a code that verifies the
address. Each function returns the mails to send, which the router hands to a background task
(app/core/mail.py `deliver`): a slow mail server never slows the answer, and the answer is the
same whether or not the new address belongs to someone (only the mails differ)."""

import uuid
from email.message import EmailMessage

from sqlalchemy import bindparam, select

from app.auth.service import email_taken, normalise_email
from app.core import mail
from app.core.config import Settings
from app.core.database import ConstraintViolated, Database, Row, first
from app.core.db import utcnow
from app.core.errors import FieldError, ProblemError
from app.core.identity import User
from app.users import codes
from app.users.service import apply_profile, check_password, get_user, locked_user

users = User.__table__.c  # type: ignore[attr-defined]
_TAKEN = select(users.id).where(users.email == bindparam("email"))
INVALID_CODE = "This code is not valid: it may be mistyped, expired, used, or tried too often."
ACCEPTED = (
    "If the address can be used, a 6-digit code is on its way to it; enter it with "
    "POST /v1/me/email/confirm. Your current address was told of the request."
)


def masked(email: str) -> str:
    """`d***@example.com`: enough for the owner to recognise, not to harvest."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


def invalid_code() -> ProblemError:
    return ProblemError(
        422,
        INVALID_CODE,
        slug="invalid-code",
        errors=[FieldError(field="body.code", message=INVALID_CODE, code="invalid_code")],
    )


# --- changing the address -----------------------------------------------------------------------
async def request_change(
    database: Database, settings: Settings, user_id: uuid.UUID, new_email: str, password: str
) -> list[EmailMessage]:
    """After the password: a code to the new address (or, if an account has it, a mail saying
    so and no code), and a notice to the current one."""
    await check_password(database, user_id, password)
    user = await get_user(database, user_id)
    new = normalise_email(new_email)
    notice = mail.compose(settings, user["email"], "A change of your email was requested", (
        f"Someone signed in to your Rebound account asked to change its email to {masked(new)}.\n"
        "Nothing changes until a code mailed to that address is entered.\n\n"
        "If this was not you, change your password now: that signs out every other device."
    ))  # fmt: skip
    if new == user["email"] or await first(database, _TAKEN, {"email": new}) is not None:
        return [_exists(settings, new), notice]
    async with database.transaction() as tx:
        code = await codes.issue(tx, settings, user_id, "change", new, utcnow())
    return [_code(settings, new, code, "Confirm your new Rebound email"), notice]


async def confirm_change(
    database: Database, settings: Settings, user_id: uuid.UUID, code: str
) -> tuple[Row, list[EmailMessage]]:
    """The profile with the new, verified email, and a notice for the old address."""
    async with database.transaction() as tx:
        user = await locked_user(tx, user_id)
        new = await codes.redeem(tx, settings, user_id, "change", code, utcnow())
        if new is not None:
            try:
                updated = await apply_profile(tx, user, {"email": new, "email_verified": True})
            except ConstraintViolated:  # taken since the code was sent
                raise email_taken() from None
    if new is None:  # after the transaction: the try it spent is kept
        raise invalid_code()
    notice = mail.compose(settings, user["email"], "Your Rebound email was changed", (
        f"The email of your Rebound account is now {masked(new)}; mail goes there from now on."
        "\n\nIf this was not you, reset your password with that address or contact support."
    ))  # fmt: skip
    return updated or user, [notice]


async def cancel_change(database: Database, user_id: uuid.UUID) -> None:
    async with database.transaction() as tx:
        await codes.forget(tx, user_id, "change")


# --- verifying the address ----------------------------------------------------------------------
async def start_verification(
    database: Database, settings: Settings, user_id: uuid.UUID
) -> list[EmailMessage]:
    """A code to the account's address, unless it is verified already."""
    user = await get_user(database, user_id)
    if user["email_verified"]:
        return []
    async with database.transaction() as tx:
        code = await codes.issue(tx, settings, user_id, "verify", user["email"], utcnow())
    return [_code(settings, user["email"], code, "Verify your Rebound email")]


async def verify(database: Database, settings: Settings, user_id: uuid.UUID, code: str) -> Row:
    """The profile, its email verified; 422 for a code that is not the live one for the
    account's current address."""
    async with database.transaction() as tx:
        user = await locked_user(tx, user_id)
        mailed_to = await codes.redeem(tx, settings, user_id, "verify", code, utcnow())
        verified = mailed_to is not None and mailed_to == user["email"]
        updated = await apply_profile(tx, user, {"email_verified": True}) if verified else None
    if not verified:
        raise invalid_code()
    return updated or user


# --- notices ------------------------------------------------------------------------------------
async def password_changed(
    database: Database, settings: Settings, user_id: uuid.UUID
) -> list[EmailMessage]:
    user = await get_user(database, user_id)
    return [
        mail.compose(
            settings,
            user["email"],
            "Your Rebound password was changed",
            (
                "The password of your Rebound account was just changed, and every other device "
                "was signed out.\n\nIf this was not you, reset your password now."
            ),
        )  # fmt: skip
    ]


def _code(settings: Settings, to: str, code: str, subject: str) -> EmailMessage:
    return mail.compose(settings, to, subject, (
        f"Your code:\n\n    {code}\n\n"
        f"Enter it in the app within {settings.email_code_minutes} minutes. It works once.\n"
        "If you did not ask for it, ignore this mail: nothing changes."
    ))  # fmt: skip


def _exists(settings: Settings, to: str) -> EmailMessage:
    return mail.compose(settings, to, "A Rebound account already uses this address", (
        "Someone asked to move a Rebound account to this address, but an account with this "
        "address exists already, so nothing was changed.\n\nIf that account is yours, sign in "
        "with it (or reset its password). If you did not ask for this, ignore this mail."
    ))  # fmt: skip
