"""What the intake routes take and answer: drafts, never records."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, model_validator
from sqlmodel import SQLModel

from app.applications.models import Stage, WorkMode
from app.interviews.models import InterviewKind
from app.outcomes.models import OutcomeChannel, OutcomeKind, OutcomeReason, Reasons
from app.shared.fields import Day
from app.shared.records import PartialUpdate, StrictInput, with_example

MAX_MESSAGE_CHARS = 100_000
MAX_PAGE_CHARS = 2 * 1024 * 1024


class MessageKind(StrEnum):
    rejection = "rejection"
    offer = "offer"
    on_hold = "on_hold"
    interview_invitation = "interview_invitation"
    acknowledgement = "acknowledgement"
    unknown = "unknown"


class MessageIn(StrictInput):
    model_config = with_example(
        {
            "text": "Subject: Your application to Globex\n\nHi Sam,\n\nThank you for "
            "interviewing for the Platform engineer role. We have decided to move forward "
            "with a candidate whose experience more closely matches the role. We'd be happy "
            "to share feedback if you'd like.\n\nBest regards,\nDana, Globex Talent Team",
            "received_on": "2026-11-20",
        }
    )

    text: Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE_CHARS)] = Field(
        description="The message as pasted (headers, body, quoted history). Read, never kept."
    )
    received_on: Day | None = Field(
        default=None,
        description="When it arrived; the draft outcome's `received_on` (default today).",
    )


class MatchedApplication(SQLModel):
    id: uuid.UUID
    company: str
    role_title: str
    stage: Stage
    score: float = Field(ge=0, le=1, description="How surely the message concerns it, 0–1.")


class Evidence(SQLModel):
    text: str = Field(description="The words of the message, as written.")
    signal: str = Field(
        description="What they decided: a kind (`rejection`, …), `reason:<key>`, "
        "`feedback_offered`, `company`, `role`, `language:<code>`…"
    )


class DraftOutcome(SQLModel):
    """A body for POST /v1/outcomes; with `application_id` null, the client picks one."""

    application_id: uuid.UUID | None
    kind: OutcomeKind
    received_on: date
    channel: OutcomeChannel = OutcomeChannel.email
    stated_reason: str | None = None
    reasons: Reasons = []
    feedback_offered: bool = False


class DraftInterview(SQLModel):
    """A body for POST /v1/interviews; with `application_id` null, the client picks one."""

    application_id: uuid.UUID | None
    kind: InterviewKind
    scheduled_at: datetime | None = None


class MessageReading(SQLModel):
    kind: MessageKind
    confidence: float = Field(ge=0, le=1)
    language: str = Field(description="The language it was read in: en, de, fr or es.")
    company: str | None
    role_title: str | None
    matched_applications: list[MatchedApplication] = Field(
        description="The caller's applications it most likely concerns, best first."
    )
    stated_reason: str | None = Field(
        description="The sentences that give a reason, quoted as written; null when none does."
    )
    reasons: list[OutcomeReason] = Field(
        description="Taxonomy keys the text itself states (`source` is always `stated`), "
        "never guessed ones."
    )
    feedback_offered: bool
    evidence: list[Evidence]
    draft_outcome: DraftOutcome | None = Field(
        description="For a rejection, offer or hold: an outcome to post (or edit first)."
    )
    draft_interview: DraftInterview | None = Field(
        description="For an interview invitation: an interview to post."
    )


class PostingIn(PartialUpdate):
    model_config = with_example(
        {
            "url": "https://boards.greenhouse.io/globex/jobs/4242?gh_src=li",
            "html": '<html><head><title>Platform engineer - Globex</title><script type="'
            'application/ld+json">{"@type": "JobPosting", "title": "Platform engineer", '
            '"hiringOrganization": {"name": "Globex"}, "description": "<p>Run our '
            'platform.</p>"}</script></head><body></body></html>',
        },
        minProperties=1,
    )

    # Each may be left out, none may be null, and one at least is sent (`minProperties`).
    not_null: ClassVar[frozenset[str]] = frozenset({"url", "html", "text"})

    url: Annotated[str, Field(min_length=1, max_length=2048)] | None = Field(
        default=None, description="Where the posting is. Never fetched: read as text."
    )
    html: Annotated[str, Field(min_length=1, max_length=MAX_PAGE_CHARS)] | None = Field(
        default=None, description="The page's HTML, as the app's share sheet or a browser has it."
    )
    text: Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE_CHARS)] | None = Field(
        default=None, description="The posting as pasted text."
    )

    @model_validator(mode="after")
    def _something_to_read(self) -> "PostingIn":
        if self.url is None and self.html is None and self.text is None:
            raise ValueError("Send at least one of `url`, `html` and `text`.")
        return self


class FieldSource(StrEnum):
    json_ld = "json_ld"
    open_graph = "open_graph"
    page_title = "title"
    url = "url"
    text = "text"


class DraftApplication(SQLModel):
    """A body for POST /v1/applications (company and role title may need the user's word)."""

    company: str | None = None
    role_title: str | None = None
    location: str | None = None
    work_mode: WorkMode | None = None
    job_url: str | None = None
    salary_min: int | None = None
    salary_max: int | None = None
    currency: str | None = None
    job_description: str | None = None


class PostingDuplicate(SQLModel):
    id: uuid.UUID
    company: str
    role_title: str
    stage: Stage
    applied_on: date | None


class PostingReading(SQLModel):
    draft_application: DraftApplication
    field_sources: dict[str, FieldSource] = Field(
        description="Where each field of the draft came from: the page's schema.org "
        "JobPosting (`json_ld`), its OpenGraph tags, its title, the URL's applicant-tracking "
        "system, or the pasted text."
    )
    duplicates: list[PostingDuplicate] = Field(
        description="The caller's applications for the same posting (same URL without "
        "tracking parameters) or the same company and role: applied already?"
    )
