"""Interviews held for an application, with who was there and how it felt."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field as PydanticField
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.core.db import JSONList, UTCDateTime
from app.shared.fields import Moment, Name, Rating, ShortText, Text
from app.shared.pagination import ListParams, page_model
from app.shared.records import (
    OwnedRecord,
    PartialUpdate,
    RecordPublic,
    StrictInput,
    owned_indexes,
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


Interviewers = list[Interviewer]


class Interview(OwnedRecord, table=True):
    __tablename__ = "interviews"
    __table_args__ = (
        *owned_indexes("interviews"),
        *same_user_reference("applications", "application_id"),
    )

    application_id: uuid.UUID
    kind: str = Field(sa_type=String(16))
    scheduled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    interviewers: list[dict[str, str | None]] = Field(default_factory=list, sa_type=JSONList)
    self_rating: int | None = None
    notes: str | None = Field(default=None, max_length=10_000)


class InterviewFields(SQLModel):
    kind: InterviewKind
    scheduled_at: Moment | None = None
    interviewers: Interviewers = PydanticField(default=[], max_length=20)
    self_rating: Rating | None = PydanticField(default=None, description="1–5: how it felt.")
    notes: Text | None = None


class InterviewCreate(InterviewFields, StrictInput):
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
    application_id: uuid.UUID


class InterviewUpdate(PartialUpdate):
    not_null: ClassVar[frozenset[str]] = frozenset({"kind", "interviewers"})

    kind: InterviewKind | None = None
    scheduled_at: Moment | None = None
    interviewers: Interviewers | None = PydanticField(default=None, max_length=20)
    self_rating: Rating | None = None
    notes: Text | None = None


class InterviewPublic(InterviewFields, RecordPublic):
    application_id: uuid.UUID


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
