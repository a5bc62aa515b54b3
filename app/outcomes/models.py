"""Outcomes: what the company decided, and the reasons the user knows or suspects."""

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field as PydanticField
from sqlalchemy import Date, String
from sqlmodel import Field, SQLModel

from app.core.db import JSONList
from app.guidance.catalogue import REASON_KEYS
from app.shared.fields import Answer, Day, KnownKey, Money, OnePerKey, Score
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


class OutcomeKind(StrEnum):
    offer = "offer"
    rejection = "rejection"
    on_hold = "on_hold"
    withdrawn = "withdrawn"
    ghosted = "ghosted"


# Recording an outcome moves its application to this stage.
STAGE_AFTER = {
    "offer": "offer",
    "rejection": "rejected",
    "on_hold": "on_hold",
    "withdrawn": "withdrawn",
    "ghosted": "ghosted",
}


class OutcomeChannel(StrEnum):
    phone = "phone"
    email = "email"
    portal = "portal"
    in_person = "in_person"
    none = "none"


class ReasonSource(StrEnum):
    stated = "stated"
    suspected = "suspected"


class OutcomeReason(StrictInput):
    key: Annotated[
        str, KnownKey(REASON_KEYS, "Unknown reason key: see GET /v1/guidance/reasons.")
    ] = PydanticField(
        description="A key of the reason taxonomy (GET /v1/guidance/reasons).",
        examples=["stronger_candidate"],
    )
    source: ReasonSource = PydanticField(
        description="`stated` by the company, or only `suspected` by the user."
    )


Reasons = Annotated[
    list[OutcomeReason],
    PydanticField(max_length=10),
    OnePerKey("key", REASON_KEYS, "Each reason key may appear once."),
]
OFFER_FIELDS = ("offer_salary", "offer_deadline")


class Outcome(OwnedRecord, table=True):
    __tablename__ = "outcomes"
    __table_args__ = (
        *owned_indexes("outcomes"),
        *same_user_reference("applications", "application_id"),
    )

    application_id: uuid.UUID
    kind: str = Field(sa_type=String(16))
    received_on: date = Field(sa_type=Date)
    channel: str | None = Field(default=None, sa_type=String(16))
    stated_reason: str | None = Field(default=None, max_length=5_000)
    reasons: list[dict[str, str]] = Field(default_factory=list, sa_type=JSONList)
    feedback_offered: bool = False
    disappointment: int | None = None
    offer_salary: int | None = None
    offer_deadline: date | None = Field(default=None, sa_type=Date)


class OutcomeFields(SQLModel):
    kind: OutcomeKind
    received_on: Day
    channel: OutcomeChannel | None = None
    stated_reason: Answer | None = PydanticField(
        default=None, description="What the company said, verbatim."
    )
    reasons: Reasons = []
    feedback_offered: bool = PydanticField(
        default=False, description="Did the company offer to talk about it?"
    )
    disappointment: Score | None = PydanticField(default=None, description="0–10.")
    offer_salary: Money | None = PydanticField(default=None, description="Offers only.")
    offer_deadline: Day | None = PydanticField(default=None, description="Offers only.")


class OutcomeCreate(OutcomeFields, StrictInput):
    model_config = with_example(
        {
            "application_id": "7d0f4a52-3c1e-4b8a-9f6d-2a5b8c9e1f03",
            "kind": "rejection",
            "received_on": "2026-10-20",
            "channel": "email",
            "stated_reason": "We went with a candidate with more Kubernetes experience.",
            "reasons": [
                {"key": "stronger_candidate", "source": "stated"},
                {"key": "experience_gap", "source": "suspected"},
            ],
            "feedback_offered": True,
            "disappointment": 7,
        }
    )

    id: uuid.UUID | None = None
    application_id: uuid.UUID


class OutcomeUpdate(PartialUpdate):
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"kind", "received_on", "reasons", "feedback_offered"}
    )

    kind: OutcomeKind | None = None
    received_on: Day | None = None
    channel: OutcomeChannel | None = None
    stated_reason: Answer | None = None
    reasons: Reasons | None = None
    feedback_offered: bool | None = None
    disappointment: Score | None = None
    offer_salary: Money | None = None
    offer_deadline: Day | None = None


class OutcomePublic(OutcomeFields, RecordPublic):
    application_id: uuid.UUID


OutcomePage = page_model("OutcomePage", OutcomePublic)


class OutcomeParams(ListParams):
    application_id: uuid.UUID | None = None
    kind: OutcomeKind | None = None


_table = Outcome.__table__.c  # type: ignore[attr-defined]
OUTCOMES = Records(
    Outcome,
    OutcomePublic,
    "outcome",
    filters={"application_id": equal(_table.application_id), "kind": equal(_table.kind)},
)
