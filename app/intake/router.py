"""HTTP for intake: read a pasted email or a job posting into drafts. Nothing is written."""

from fastapi import APIRouter

from app.core.database import DatabaseDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.core.ratelimit import RateLimiterDep
from app.intake import service
from app.intake.models import MessageIn, MessageReading, PostingIn, PostingReading

router = APIRouter(prefix="/v1/intake", tags=["intake"])

_READ_RESPONSES = problem_responses(401, 413, 422, 429)


@router.post(
    "/message",
    operation_id="readMessage",
    summary="Read a pasted email",
    description=(
        "What a message from a company says: a rejection, an offer, a hold, an interview "
        "invitation or an acknowledgement, with the company, the role, the caller's "
        "applications it most likely concerns, the reason it states (quoted as written, and "
        "the taxonomy keys it states, never guessed ones), whether feedback is offered, the "
        "phrases that decided, and a draft outcome or interview to post. English, German, "
        "French and Spanish; signatures and quoted replies are set aside. Rule-based and "
        "local: the text goes to no other service, is not kept and is not logged. Nothing is "
        "written: post the draft to record it. Limited per account (60 a minute by default); "
        "an `Idempotency-Key` is not needed and not kept."
    ),
    responses=_READ_RESPONSES,
)
async def read_message(
    body: MessageIn, caller: CallerDep, database: DatabaseDep, limiter: RateLimiterDep
) -> MessageReading:
    """What the message is, which application it concerns, and a draft to post."""
    await limiter.limit_intake(caller.id)
    return await service.read_message_of(database, caller, body)


@router.post(
    "/posting",
    operation_id="readPosting",
    summary="Read a job posting",
    description=(
        "A draft application from a posting: its schema.org `JobPosting` data first (as job "
        "boards embed it for search engines), then its OpenGraph tags, its title, and the "
        "URL of the common applicant-tracking systems (Greenhouse, Lever, Workday, Ashby, "
        "SmartRecruiters, Recruitee, Personio), or pasted text; `field_sources` says where "
        "each field came from. `duplicates` lists the caller's applications for the same "
        "posting (its URL without tracking parameters) or the same company and role. The "
        "server never fetches `url`: send the page's `html` (up to 2 MB by default) or its "
        "`text`. Nothing is written; limited per account like reading a message."
    ),
    responses=_READ_RESPONSES,
)
async def read_posting(
    body: PostingIn, caller: CallerDep, database: DatabaseDep, limiter: RateLimiterDep
) -> PostingReading:
    """A draft application from a posting, and whether it was applied to already."""
    await limiter.limit_intake(caller.id)
    return await service.read_posting_of(database, caller, body)
