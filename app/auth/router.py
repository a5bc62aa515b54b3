"""Registration, sign-in with the OAuth2 password form, refresh, logout and password reset."""

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import password_reset, service
from app.auth.models import (
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    Registration,
    TokenPair,
)
from app.auth.passwords import refuse_if_busy
from app.core.database import DatabaseDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.core.mail import deliver
from app.core.ratelimit import RateLimiterDep
from app.core.revocations import RevocationsDep
from app.shared.etag import etag_for
from app.users import email_address
from app.users.models import Accepted, EmailCode, UserPublic, UserRegister

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class PasswordForm(OAuth2PasswordRequestForm):
    """The OAuth2 password form, its rules stated in the schema: `username` and `password`
    are not empty (an empty form value counts as missing), `grant_type` is `password`, and
    no field is nullable (a form has no null)."""

    def __init__(
        self,
        *,
        grant_type: Annotated[Literal["password"], Form()] = "password",
        username: Annotated[str, Form(min_length=1, description="The account's email.")],
        password: Annotated[str, Form(min_length=1, json_schema_extra={"format": "password"})],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str, Form()] = "",
        client_secret: Annotated[str, Form(json_schema_extra={"format": "password"})] = "",
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id or None,
            client_secret=client_secret or None,
        )


@router.post(
    "/register",
    status_code=201,
    operation_id="register",
    responses=problem_responses(409, 422, 429, 503),
)
async def register(
    request: Request,
    background: BackgroundTasks,
    body: UserRegister,
    database: DatabaseDep,
    limiter: RateLimiterDep,
) -> Registration:
    """Create an account and sign in: returns the user and a token pair. A 6-digit code is
    mailed to the address (`POST /v1/auth/verify-email`); the account works meanwhile."""
    refuse_if_busy()  # first: a refusal does no work, so it counts against no limit
    await limiter.limit_ip(request, "register", limiter.settings.rate_limit_register_per_ip)
    await limiter.limit_email(
        "register", body.email, limiter.settings.rate_limit_register_per_email
    )
    user_agent = request.headers.get("user-agent")
    user, pair = await service.register(database, limiter.settings, body, user_agent)
    mails = await email_address.start_verification(database, limiter.settings, user["id"])
    background.add_task(deliver, limiter.settings, mails)
    return Registration(user=UserPublic.model_validate(dict(user)), tokens=pair)


_FORM_EXAMPLE = {
    "grant_type": "password",
    "username": "dana@example.com",
    "password": "correct horse battery",
}


@router.post(
    "/token",
    operation_id="createToken",
    responses=problem_responses(401, 422, 429, 503),
    openapi_extra={
        "requestBody": {
            "content": {"application/x-www-form-urlencoded": {"example": _FORM_EXAMPLE}}
        }
    },
)
async def create_token(
    request: Request,
    form: Annotated[PasswordForm, Depends()],
    database: DatabaseDep,
    limiter: RateLimiterDep,
) -> TokenPair:
    """Sign in with the OAuth2 password form (`username` is the email).

    Failed attempts slow the account down: after a few, each attempt must wait twice as long
    as the one before (429 with `Retry-After`), up to a cap, and the count is forgotten after
    a quiet period. Each address also has a limit per minute.
    """
    refuse_if_busy()  # first: a refusal does no work, so it counts against no limit
    await limiter.limit_ip(request, "token", limiter.settings.rate_limit_token_per_ip)
    await limiter.begin_sign_in(form.username)
    user_id = await service.authenticate(database, form.username, form.password)
    await limiter.signed_in(form.username)
    return await service.sign_in(
        database, limiter.settings, user_id, request.headers.get("user-agent")
    )


@router.post("/refresh", operation_id="refreshToken", responses=problem_responses(401, 422))
async def refresh_token(
    request: Request, body: RefreshRequest, database: DatabaseDep, revocations: RevocationsDep
) -> TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working.

    A rotated token used again after a short grace period ends its session: every token of
    it, access tokens included, stops working (401 `refresh-token-reused`)."""
    try:
        return await service.rotate(database, request.app.state.settings, body.refresh_token)
    except service.Reused as reuse:
        await revocations.revoke(reuse.session_ids)
        raise service.reused() from None


@router.post("/logout", status_code=204, operation_id="logout", responses=problem_responses(422))
async def logout(
    request: Request, body: RefreshRequest, database: DatabaseDep, revocations: RevocationsDep
) -> None:
    """End the session this refresh token belongs to, its access tokens included (unknown
    tokens are ignored)."""
    ended = await service.logout(database, request.app.state.settings, body.refresh_token)
    await revocations.revoke(ended)


@router.post(
    "/password-reset",
    status_code=202,
    operation_id="requestPasswordReset",
    responses=problem_responses(422, 429),
)
async def request_password_reset(
    request: Request,
    body: PasswordResetRequest,
    background: BackgroundTasks,
    database: DatabaseDep,
    limiter: RateLimiterDep,
) -> PasswordResetAccepted:
    """Mail a single-use reset code to this email, if an account has it.

    The answer is the same whether or not an account exists. The code works once, for
    PASSWORD_RESET_MINUTES (30 by default); use it with `POST /v1/auth/password-reset/confirm`.
    """
    settings = limiter.settings
    await limiter.limit_ip(request, "password-reset", settings.rate_limit_password_reset_per_ip)
    await limiter.limit_email(
        "password-reset", body.email, settings.rate_limit_password_reset_per_email
    )
    background.add_task(password_reset.send_reset_mail, database, settings, body.email)
    return PasswordResetAccepted(message=password_reset.ACCEPTED)


@router.post(
    "/password-reset/confirm",
    status_code=204,
    operation_id="confirmPasswordReset",
    responses=problem_responses(422, 429, 503),
)
async def confirm_password_reset(
    request: Request,
    body: PasswordResetConfirm,
    database: DatabaseDep,
    limiter: RateLimiterDep,
    revocations: RevocationsDep,
) -> None:
    """Set a new password with the mailed code; every session of the account is signed out.

    An unknown, expired or already used code answers 422 (`invalid-reset-token`, naming
    `body.token`).
    """
    settings = limiter.settings
    refuse_if_busy()  # first: a refusal does no work, so it counts against no limit
    await limiter.limit_ip(
        request, "password-reset-confirm", settings.rate_limit_password_reset_per_ip
    )
    email, ended = await password_reset.confirm_reset(
        database, settings, body.token, body.new_password
    )
    await revocations.revoke(ended)
    await limiter.signed_in(email)  # the mailbox was proven: lift any sign-in backoff


@router.post(
    "/verify-email",
    operation_id="verifyEmail",
    responses=problem_responses(401, 422, 429, 503),
)
async def verify_email(
    body: EmailCode,
    response: Response,
    caller: CallerDep,
    database: DatabaseDep,
    limiter: RateLimiterDep,
) -> UserPublic:
    """Enter the code mailed at sign-up (or by the resend): the profile, `email_verified`
    true. Wrong codes slow the account down as wrong passwords do."""
    async with limiter.password_check(caller.id):
        user = await email_address.verify(database, limiter.settings, caller.id, body.code)
    response.headers["ETag"] = etag_for(user["id"], user["version"])
    return UserPublic.model_validate(dict(user))


@router.post(
    "/verify-email/resend",
    status_code=202,
    operation_id="resendEmailVerification",
    responses=problem_responses(401, 429),
)
async def resend_email_verification(
    caller: CallerDep, database: DatabaseDep, limiter: RateLimiterDep, background: BackgroundTasks
) -> Accepted:
    """Mail a new verification code (the earlier one stops working); nothing is sent once the
    address is verified. Limited per account (`RATE_LIMIT_EMAIL_CODES_PER_USER`)."""
    settings = limiter.settings
    await limiter.limit(
        "email-codes:user", str(caller.id), settings.rate_limit_email_codes_per_user
    )
    background.add_task(
        deliver, settings, await email_address.start_verification(database, settings, caller.id)
    )
    return Accepted(message="Unless the address is verified already, a new code is on its way.")
