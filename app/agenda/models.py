"""The agenda's query parameters and response: items that each say why they are there."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class AgendaKind(StrEnum):
    """Why an item is on the agenda.

    - `feedback_awaiting_answer`: feedback was requested `feedback_wait_days` or more days ago
      (status `requested`) and no answer came; follow up, or mark it `no_response`.
    - `call_upcoming`: a feedback conversation is `scheduled` between now and the end of the
      horizon.
    - `interview_upcoming`: an interview is scheduled between now and the end of the horizon.
    - `stay_in_touch_due`: a conversation marked `stay_in_touch` has its `follow_up_on` by the
      end of the horizon (overdue included).
    - `contact_follow_up_due`: a contact's `next_follow_up_on` is by the end of the horizon.
    - `next_step_due`: an open next step of a reflection is due by the end of the horizon.
    - `next_step_open`: an open next step without a due date.
    - `possibly_ghosted`: an application still applied, screening or interviewing has had no
      activity for `quiet_days` or more; ask the user (its stage is never changed for them).
    - `reflection_missing`: a rejection, ghosting or withdrawal has no reflection yet.
    """

    feedback_awaiting_answer = "feedback_awaiting_answer"
    call_upcoming = "call_upcoming"
    interview_upcoming = "interview_upcoming"
    stay_in_touch_due = "stay_in_touch_due"
    contact_follow_up_due = "contact_follow_up_due"
    next_step_due = "next_step_due"
    next_step_open = "next_step_open"
    possibly_ghosted = "possibly_ghosted"
    reflection_missing = "reflection_missing"


class RecordType(StrEnum):
    """The resource an agenda item links to."""

    application = "application"
    interview = "interview"
    outcome = "outcome"
    feedback_conversation = "feedback_conversation"
    contact = "contact"
    reflection = "reflection"


class AgendaParams(BaseModel):
    """How patient to be, and how far ahead to look."""

    feedback_wait_days: int = Field(
        default=7,
        ge=1,
        le=90,
        description="Days without an answer after which a feedback request needs a follow-up.",
    )
    quiet_days: int = Field(
        default=21,
        ge=1,
        le=365,
        description="Days without any news after which an open application may be ghosted.",
    )
    horizon_days: int = Field(
        default=7,
        ge=0,
        le=60,
        description="How many days after today to show what is coming up (0: today only).",
    )
    limit: int = Field(
        default=50,
        ge=1,
        le=200,
        description="At most this many items of each kind, the most pressing first; "
        "`counts` always give the full numbers.",
    )


class RecordLink(BaseModel):
    """The record behind an item, to open it or act on it."""

    type: RecordType
    id: uuid.UUID
    application_id: uuid.UUID | None = Field(
        default=None, description="The application the record is about, when there is one."
    )
    next_step_index: int | None = Field(
        default=None,
        description="For next steps: the step's position (from 0) in the reflection's "
        "`next_steps` list. Kept for earlier clients: prefer `next_step_id`, which stays "
        "right when the list changes.",
    )
    next_step_id: uuid.UUID | None = Field(
        default=None,
        description="For next steps: the step's `id`, to change it with "
        "`PATCH /v1/reflections/{id}/next-steps/{step_id}`.",
    )


class AgendaItem(BaseModel):
    """One thing that needs attention, why, and the record it is about."""

    kind: AgendaKind
    title: str = Field(
        description="What it is about: `Company — Role`, a contact's name, or a next step's text.",
        examples=["Acme — Backend engineer"],
    )
    reason: str = Field(description="Why it is on the agenda and what could be done about it.")
    due_on: date | None = Field(
        description="The day (in the user's time zone) it is due or became due; for timed "
        "items the local day of `due_at`. Null only for next steps without a due date."
    )
    due_at: datetime | None = Field(
        description="For calls and interviews: when they start (UTC). Null otherwise."
    )
    overdue: bool = Field(description="`due_on` is before today.")
    record: RecordLink


class AgendaCounts(BaseModel):
    """How many items of each kind there are, whatever `limit` left out."""

    feedback_awaiting_answer: int
    call_upcoming: int
    interview_upcoming: int
    stay_in_touch_due: int
    contact_follow_up_due: int
    next_step_due: int
    next_step_open: int
    possibly_ghosted: int
    reflection_missing: int
    total: int


class Agenda(BaseModel):
    """The agenda: overdue items first by due date, then what is coming up, then next steps
    without a due date."""

    items: list[AgendaItem]
    counts: AgendaCounts
    today: date = Field(description="The current date in the user's time zone.")
    timezone: str = Field(description="The user's time zone (IANA), from the profile.")
