"""Feedback conversations: asking the recruiter or interviewer what to learn from a "no"."""

import uuid
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import Date, String
from sqlmodel import AutoString, Field, SQLModel

from app.core.db import JSONList, UTCDateTime
from app.guidance.catalogue import FEEDBACK_QUESTION_KEYS
from app.shared.fields import (
    Answer,
    Day,
    Email,
    KnownKey,
    Moment,
    Name,
    OnePerKey,
    ShortText,
    Text,
)
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


class FeedbackChannel(StrEnum):
    phone = "phone"
    video = "video"
    email = "email"
    in_person = "in_person"


class FeedbackStatus(StrEnum):
    planned = "planned"
    requested = "requested"
    scheduled = "scheduled"
    completed = "completed"
    declined = "declined"
    no_response = "no_response"


class Trust(StrEnum):
    genuine = "genuine"
    partly = "partly"
    generic = "generic"
    doubtful = "doubtful"


class FeedbackAnswer(StrictInput):
    question_key: Annotated[
        str,
        KnownKey(
            FEEDBACK_QUESTION_KEYS,
            "Unknown question key: see GET /v1/guidance/feedback-questions.",
        ),
    ] = PydanticField(examples=["prepare_better"])
    answer: Answer


Answers = Annotated[
    list[FeedbackAnswer],
    PydanticField(max_length=20),
    OnePerKey("question_key", FEEDBACK_QUESTION_KEYS, "Each question may be answered once."),
]


class FeedbackConversationBase(SQLModel):
    """The fields of a feedback conversation, as the API takes and shows them and the table
    stores them."""

    outcome_id: uuid.UUID | None = Field(
        default=None, description="The outcome (of the same application) this is about."
    )
    contact_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "The contact (GET /v1/contacts) this conversation is with. Deleting the contact "
            "unlinks it (null here); the conversation keeps its contact_name."
        ),
    )
    contact_name: Name = Field(sa_type=AutoString(200))
    contact_role: ShortText | None = Field(default=None, sa_type=AutoString(200))
    contact_email: Email | None = Field(default=None, sa_type=AutoString(320))
    channel: FeedbackChannel = Field(default=FeedbackChannel.phone, sa_type=String(16))
    status: FeedbackStatus = Field(default=FeedbackStatus.planned, sa_type=String(16))
    requested_on: Day | None = Field(default=None, sa_type=Date)
    scheduled_at: Moment | None = Field(default=None, sa_type=UTCDateTime)
    completed_on: Day | None = Field(default=None, sa_type=Date)
    answers: Answers = Field(default=[], sa_type=JSONList)
    takeaways: Text | None = Field(default=None, sa_type=AutoString(10_000))
    trust: Trust | None = Field(
        default=None,
        sa_type=String(16),
        description="How far the user believes what they were told.",
    )
    stay_in_touch: bool = False
    follow_up_on: Day | None = Field(
        default=None, sa_type=Date, description="When to get back in touch."
    )
    application_id: uuid.UUID


class FeedbackConversation(FeedbackConversationBase, OwnedRecord, table=True):
    __tablename__ = "feedback_conversations"
    __table_args__ = (
        *owned_indexes("feedback_conversations"),
        *same_user_reference("applications", "application_id"),
        *same_user_reference("outcomes", "outcome_id"),
        *same_user_reference("contacts", "contact_id"),
    )


class FeedbackConversationCreate(FeedbackConversationBase, StrictInput):
    # The rule of `_named_or_linked`, stated in the schema: a name, or a contact to take it from.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["contact_name"], "properties": {"contact_name": {"type": "string"}}},
                {"required": ["contact_id"], "properties": {"contact_id": {"type": "string"}}},
            ],
            "examples": [
                {
                    "application_id": "7d0f4a52-3c1e-4b8a-9f6d-2a5b8c9e1f03",
                    "contact_name": "Dana Park",
                    "contact_role": "Staff engineer",
                    "contact_email": "dana.park@globex.example",
                    "channel": "video",
                    "status": "requested",
                    "requested_on": "2026-10-21",
                }
            ],
        },
    )

    id: uuid.UUID | None = None
    contact_name: Name | None = PydanticField(  # type: ignore[assignment]
        default=None,
        validate_default=True,
        description=(
            "Required unless `contact_id` is given; then it defaults to the contact's name "
            "(and `contact_role`, `contact_email` to the contact's)."
        ),
    )

    @field_validator("contact_name")
    @classmethod
    def _named_or_linked(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("contact_id") is None:
            raise PydanticCustomError("missing", "Field required unless contact_id is given.")
        return value


class FeedbackConversationUpdate(partial(FeedbackConversationBase, fixed={"application_id"})):  # type: ignore[misc]
    model_config = with_example(
        {
            "status": "completed",
            "completed_on": "2026-10-28",
            "answers": [
                {"question_key": "prepare_better", "answer": "Plan the design before drawing."}
            ],
            "takeaways": "Structure beats speed in the design round.",
            "trust": "genuine",
            "stay_in_touch": True,
        }
    )
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"contact_name", "channel", "status", "answers", "stay_in_touch"}
    )

    contact_id: uuid.UUID | None = Field(
        default=None, description="Link a contact (its details fill the ones not sent), or null."
    )


class FeedbackConversationPublic(FeedbackConversationBase, RecordPublic):
    pass


FeedbackConversationPage = page_model("FeedbackConversationPage", FeedbackConversationPublic)


class FeedbackConversationParams(ListParams):
    application_id: uuid.UUID | None = None
    outcome_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    status: FeedbackStatus | None = None


DraftFormat = Literal["email", "call_script"]


_table = FeedbackConversation.__table__.c  # type: ignore[attr-defined]
FEEDBACK_CONVERSATIONS = Records(
    FeedbackConversation,
    FeedbackConversationPublic,
    "feedback conversation",
    filters={
        "application_id": equal(_table.application_id),
        "outcome_id": equal(_table.outcome_id),
        "contact_id": equal(_table.contact_id),
        "status": equal(_table.status),
    },
)
