"""The caller's own account: profile, password, erase."""

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response

from app.core.database import DatabaseDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.core.mail import deliver
from app.core.ratelimit import RateLimiterDep
from app.core.revocations import RevocationsDep
from app.shared.etag import check_if_match, etag_for, not_modified
from app.shared.quota import RecordQuotaDep
from app.users import email_address, service
from app.users.export import Export, export_user
from app.users.importing import ImportDocument, ImportReport, import_document
from app.users.models import (
    Accepted,
    AccountDeletion,
    EmailChange,
    EmailCode,
    PasswordChange,
    ProfileUpdate,
    UserPublic,
)

router = APIRouter(prefix="/v1/me", tags=["me"])


@router.get(
    "",
    operation_id="getProfile",
    responses={304: {"description": "Not modified"}, **problem_responses(401)},
)
async def get_profile(
    request: Request, response: Response, caller: CallerDep, database: DatabaseDep
) -> UserPublic:
    """The caller's profile."""
    user = await service.get_user(database, caller.id)
    etag = etag_for(user["id"], user["version"])
    if not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag})  # type: ignore[return-value]
    response.headers["ETag"] = etag
    return UserPublic.model_validate(dict(user))


@router.patch("", operation_id="updateProfile", responses=problem_responses(401, 409, 412, 422))
async def update_profile(
    request: Request,
    response: Response,
    body: ProfileUpdate,
    caller: CallerDep,
    database: DatabaseDep,
) -> UserPublic:
    """Change display name, time zone or weekly goal. The email is changed with
    `POST /v1/me/email` (a body with `email` answers 422 saying so)."""
    user = await service.update_profile(
        database,
        caller.id,
        body,
        check=lambda current: check_if_match(request, etag_for(current["id"], current["version"])),
    )
    response.headers["ETag"] = etag_for(user["id"], user["version"])
    return UserPublic.model_validate(dict(user))


@router.post(
    "/password",
    status_code=204,
    operation_id="changePassword",
    responses=problem_responses(401, 403, 422, 429, 503),
)
async def change_password(
    body: PasswordChange,
    caller: CallerDep,
    database: DatabaseDep,
    limiter: RateLimiterDep,
    revocations: RevocationsDep,
    background: BackgroundTasks,
) -> None:
    """Change the password; every other session is signed out, and the account's address is
    told.

    Wrong passwords slow the account down as failed sign-ins do (429 with `Retry-After`),
    counted apart from sign-in's."""
    async with limiter.password_check(caller.id):
        ended = await service.change_password(
            database, caller.id, body.current_password, body.new_password, caller.session_id
        )
    await revocations.revoke(ended)
    mails = await email_address.password_changed(database, limiter.settings, caller.id)
    background.add_task(deliver, limiter.settings, mails)


@router.post(
    "/email",
    status_code=202,
    operation_id="requestEmailChange",
    responses=problem_responses(401, 403, 422, 429, 503),
)
async def request_email_change(
    body: EmailChange,
    caller: CallerDep,
    database: DatabaseDep,
    limiter: RateLimiterDep,
    background: BackgroundTasks,
) -> Accepted:
    """Start changing the email: with the current password, a 6-digit code is mailed to the
    new address (confirm it with `POST /v1/me/email/confirm`) and the current address is told.

    The answer is the same whether or not another account has the new address (that address
    then gets a mail saying so, and no code). Wrong passwords slow the account down."""
    settings = limiter.settings
    await limiter.limit(
        "email-codes:user", str(caller.id), settings.rate_limit_email_codes_per_user
    )
    async with limiter.password_check(caller.id):
        mails = await email_address.request_change(
            database, settings, caller.id, body.new_email, body.current_password
        )
    background.add_task(deliver, settings, mails)
    return Accepted(message=email_address.ACCEPTED)


@router.post(
    "/email/confirm",
    operation_id="confirmEmailChange",
    responses=problem_responses(401, 409, 422, 429, 503),
)
async def confirm_email_change(
    body: EmailCode,
    response: Response,
    caller: CallerDep,
    database: DatabaseDep,
    limiter: RateLimiterDep,
    background: BackgroundTasks,
) -> UserPublic:
    """Enter the code mailed to the new address: the email changes (and counts as verified),
    and the old address is told. A code works once, for 30 minutes, and five tries; wrong
    codes slow the account down as wrong passwords do."""
    async with limiter.password_check(caller.id):
        user, mails = await email_address.confirm_change(
            database, limiter.settings, caller.id, body.code
        )
    background.add_task(deliver, limiter.settings, mails)
    response.headers["ETag"] = etag_for(user["id"], user["version"])
    return UserPublic.model_validate(dict(user))


@router.delete(
    "/email", status_code=204, operation_id="cancelEmailChange", responses=problem_responses(401)
)
async def cancel_email_change(caller: CallerDep, database: DatabaseDep) -> None:
    """Cancel a pending email change: its code stops working."""
    await email_address.cancel_change(database, caller.id)


@router.get("/export", operation_id="exportAccount", response_model=Export)
async def export_account(caller: CallerDep, database: DatabaseDep) -> Any:
    """Every record of the caller (profile, all resources, timeline) as one JSON document."""
    return await export_user(database, caller)


@router.post(
    "/import",
    operation_id="importAccount",
    responses=problem_responses(401, 409, 413, 422),
)
async def import_account(
    body: ImportDocument,
    caller: CallerDep,
    database: DatabaseDep,
    limiter: RateLimiterDep,
    quota: RecordQuotaDep,
    dry_run: Annotated[
        bool, Query(description="Check and count what would change, and write nothing.")
    ] = False,
) -> ImportReport:
    """Restore an export document (GET /v1/me/export) into the caller's account.

    Idempotent: records keep their ids and `created_at`, new ones are created, changed ones
    updated (`version` +1, `updated_at` now), equal ones left alone, so importing the same
    document again reports everything `unchanged`. Records of the caller's that the document
    does not hold are kept. The profile's display name, time zone and weekly goal are restored;
    its id and email are not. Ids are per account, so another account's export imports as
    new records. A reference (timeline outcomes included) to a record neither in the document
    nor the caller's answers 422 naming the field, as does a record POST would refuse and a
    time before 1970 or after tomorrow; in every case nothing is written.

    Every record the document lists (timeline entries included, the profile not) is spent
    from the account's import budget (20,000 records an hour by default), whether or not it
    is new and dry runs included; over the budget: 429 with `Retry-After`, nothing imported
    and nothing spent. A collection that would hold more live records than the account's
    quota (50,000 each by default) answers 422 `quota-exceeded` naming it.
    """
    await limiter.spend_import(caller.id, body.record_count())
    return await import_document(database, caller, body, quota, dry_run=dry_run)


@router.delete(
    "",
    status_code=204,
    operation_id="deleteAccount",
    responses=problem_responses(401, 403, 422, 429, 503),
)
async def delete_account(
    body: AccountDeletion,
    caller: CallerDep,
    database: DatabaseDep,
    limiter: RateLimiterDep,
    revocations: RevocationsDep,
) -> None:
    """Erase the account and every record it owns; its tokens stop working. Wrong passwords
    slow the account down (429 with `Retry-After`)."""
    async with limiter.password_check(caller.id):
        ended = await service.erase_account(database, caller.id, body.password)
    await revocations.revoke(ended)
