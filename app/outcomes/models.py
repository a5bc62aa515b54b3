"""Outcomes: what the company decided, and the reasons the user knows or suspects."""

import uuid
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field as PydanticField
from sqlalchemy import Date, String
from sqlmodel import AutoString, Field, SQLModel

from app.core.db import JSONList
from app.guidance.catalogue import REASON_KEYS
from app.shared.fields import Answer, Day, KnownKey, Money, OnePerKey, Score
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


class OutcomeBase(SQLModel):
    """The fields of an outcome, as the API takes and shows them and the table stores them."""

    kind: OutcomeKind = Field(sa_type=String(16))
    received_on: Day = Field(sa_type=Date)
    channel: OutcomeChannel | None = Field(default=None, sa_type=String(16))
    stated_reason: Answer | None = Field(
        default=None, sa_type=AutoString(5_000), description="What the company said, verbatim."
    )
    reasons: Reasons = Field(default=[], sa_type=JSONList)
    feedback_offered: bool = Field(
        default=False, description="Did the company offer to talk about it?"
    )
    disappointment: Score | None = Field(default=None, description="0–10.")
    offer_salary: Money | None = Field(default=None, description="Offers only.")
    offer_deadline: Day | None = Field(default=None, sa_type=Date, description="Offers only.")
    application_id: uuid.UUID


class Outcome(OutcomeBase, OwnedRecord, table=True):
    __tablename__ = "outcomes"
    __table_args__ = (
        *owned_indexes("outcomes"),
        *same_user_reference("applications", "application_id"),
    )


class OutcomeCreate(OutcomeBase, StrictInput):
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


class OutcomeUpdate(partial(OutcomeBase, fixed={"application_id"})):  # type: ignore[misc]
    model_config = with_example(
        {
            "stated_reason": "The team chose someone who had run Kubernetes in production.",
            "disappointment": 6,
        }
    )
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"kind", "received_on", "reasons", "feedback_offered"}
    )


class OutcomePublic(OutcomeBase, RecordPublic):
    pass


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
