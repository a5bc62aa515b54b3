"""Reflections: the private journal a user writes after an outcome. Never logged, never
echoed in an error, never visible to anyone else."""

import uuid
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field as PydanticField
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.core.db import JSONList
from app.guidance.catalogue import REFLECTION_PROMPT_KEYS
from app.shared.fields import (
    Answer,
    Day,
    KnownKey,
    ListItem,
    NextStepText,
    OnePerKey,
    Score,
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


class Diagnosis(StrEnum):
    in_person = "in_person"
    on_paper = "on_paper"
    network = "network"
    fit = "fit"
    circumstantial = "circumstantial"
    unsure = "unsure"


class YesNoUnsure(StrEnum):
    yes = "yes"
    no = "no"
    unsure = "unsure"


class PromptAnswer(StrictInput):
    prompt_key: Annotated[
        str,
        KnownKey(
            REFLECTION_PROMPT_KEYS, "Unknown prompt key: see GET /v1/guidance/reflection-prompts."
        ),
    ] = PydanticField(examples=["what_learned"])
    answer: Answer


class NextStep(StrictInput):
    text: NextStepText
    due_on: Day | None = None
    done: bool = False


PromptAnswers = Annotated[
    list[PromptAnswer],
    PydanticField(max_length=30),
    OnePerKey("prompt_key", REFLECTION_PROMPT_KEYS, "Each prompt may be answered once."),
]
Items = Annotated[list[ListItem], PydanticField(max_length=20)]
NextSteps = Annotated[list[NextStep], PydanticField(max_length=20)]


class ReflectionBase(SQLModel):
    """The fields of a reflection, as the API takes and shows them and the table stores them."""

    application_id: uuid.UUID | None = Field(
        default=None, description="Optional; derived from `outcome_id` when only that is given."
    )
    outcome_id: uuid.UUID | None = None
    answers: PromptAnswers = Field(default=[], sa_type=JSONList)
    went_well: Items = Field(default=[], sa_type=JSONList)
    to_improve: Items = Field(default=[], sa_type=JSONList)
    gratitude: Items = Field(default=[], sa_type=JSONList)
    mood: Score | None = Field(default=None, description="0 (low) – 10 (great).")
    diagnosis: Diagnosis = Field(default=Diagnosis.unsure, sa_type=String(16))
    still_want_similar_roles: YesNoUnsure = Field(default=YesNoUnsure.unsure, sa_type=String(8))
    next_steps: NextSteps = Field(default=[], sa_type=JSONList)


class Reflection(ReflectionBase, OwnedRecord, table=True):
    __tablename__ = "reflections"
    __table_args__ = (
        *owned_indexes("reflections"),
        *same_user_reference("applications", "application_id"),
        *same_user_reference("outcomes", "outcome_id"),
    )


class ReflectionCreate(ReflectionBase, StrictInput):
    model_config = with_example(
        {
            "application_id": "7d0f4a52-3c1e-4b8a-9f6d-2a5b8c9e1f03",
            "answers": [{"prompt_key": "what_learned", "answer": "Design questions need a plan."}],
            "went_well": ["The coding round"],
            "to_improve": ["Failure modes in system design"],
            "gratitude": ["Dana's honest feedback"],
            "mood": 6,
            "diagnosis": "in_person",
            "still_want_similar_roles": "yes",
            "next_steps": [{"text": "Practise two system design mocks", "due_on": "2026-11-01"}],
        }
    )

    id: uuid.UUID | None = None


class ReflectionUpdate(partial(ReflectionBase, fixed={"application_id", "outcome_id"})):  # type: ignore[misc]
    not_null: ClassVar[frozenset[str]] = frozenset(
        {
            "answers",
            "went_well",
            "to_improve",
            "gratitude",
            "diagnosis",
            "still_want_similar_roles",
            "next_steps",
        }
    )


class ReflectionPublic(ReflectionBase, RecordPublic):
    pass


ReflectionPage = page_model("ReflectionPage", ReflectionPublic)


class ReflectionParams(ListParams):
    application_id: uuid.UUID | None = None
    outcome_id: uuid.UUID | None = None
    diagnosis: Diagnosis | None = None


_table = Reflection.__table__.c  # type: ignore[attr-defined]
REFLECTIONS = Records(
    Reflection,
    ReflectionPublic,
    "reflection",
    filters={
        "application_id": equal(_table.application_id),
        "outcome_id": equal(_table.outcome_id),
        "diagnosis": equal(_table.diagnosis),
    },
)
