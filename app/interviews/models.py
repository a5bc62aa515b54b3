"""Interviews held for an application, with who was there and how it felt."""

import uuid
from enum import StrEnum
from typing import Annotated, ClassVar

from sqlalchemy import String
from sqlmodel import AutoString, Field, SQLModel

from app.core.db import JSONList, UTCDateTime
from app.shared.fields import Moment, Name, Rating, ShortText, Text
from app.shared.pagination import ListParams, page_model
from app.shared.records import (
    OwnedRecord,
    RecordPublic,
    StrictInput,
    owned_indexes,
    partial,
    same_user_reference,
    with_example,
)
from app.shared.repository import Records, equal


class InterviewKind(StrEnum):
    phone_screen = "phone_screen"
    technical = "technical"
    behavioral = "behavioral"
    case = "case"
    panel = "panel"
    onsite = "onsite"
    final = "final"
    other = "other"


class Interviewer(StrictInput):
    name: Name
    role: ShortText | None = None


Interviewers = Annotated[list[Interviewer], Field(max_length=20)]


class InterviewBase(SQLModel):
    """The fields of an interview, as the API takes and shows them and the table stores them."""

    kind: InterviewKind = Field(sa_type=String(16))
    scheduled_at: Moment | None = Field(default=None, sa_type=UTCDateTime)
    interviewers: Interviewers = Field(default=[], sa_type=JSONList)
    self_rating: Rating | None = Field(default=None, description="1–5: how it felt.")
    notes: Text | None = Field(default=None, sa_type=AutoString(10_000))
    application_id: uuid.UUID


class Interview(InterviewBase, OwnedRecord, table=True):
    __tablename__ = "interviews"
    __table_args__ = (
        *owned_indexes("interviews"),
        *same_user_reference("applications", "application_id"),
    )


class InterviewCreate(InterviewBase, StrictInput):
    model_config = with_example(
        {
            "application_id": "7d0f4a52-3c1e-4b8a-9f6d-2a5b8c9e1f03",
            "kind": "technical",
            "scheduled_at": "2026-10-14T13:00:00Z",
            "interviewers": [{"name": "Dana Park", "role": "Staff engineer"}],
            "self_rating": 3,
            "notes": "System design: a rate limiter. Ran out of time on the failure modes.",
        }
    )

    id: uuid.UUID | None = None


class InterviewUpdate(partial(InterviewBase, fixed={"application_id"})):  # type: ignore[misc]
    model_config = with_example(
        {"self_rating": 4, "notes": "Went better than it felt: they asked for a second round."}
    )
    not_null: ClassVar[frozenset[str]] = frozenset({"kind", "interviewers"})


class InterviewPublic(InterviewBase, RecordPublic):
    pass


InterviewPage = page_model("InterviewPage", InterviewPublic)


class InterviewParams(ListParams):
    application_id: uuid.UUID | None = None


_table = Interview.__table__.c  # type: ignore[attr-defined]
INTERVIEWS = Records(
    Interview,
    InterviewPublic,
    "interview",
    filters={"application_id": equal(_table.application_id)},
)
