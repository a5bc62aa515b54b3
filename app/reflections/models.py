"""Reflections: the private journal a user writes after an outcome. Never logged, never
echoed in an error, never visible to anyone else."""

import uuid
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, ConfigDict, ValidationError
from pydantic import Field as PydanticField
from pydantic_core import InitErrorDetails, PydanticCustomError
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
    PartialUpdate,
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


class NextStepBase(SQLModel):
    """The fields of a next step the user writes."""

    text: NextStepText
    due_on: Day | None = None
    done: bool = False


_STEP_ID = (
    "The step's stable id, to address it (`PATCH /v1/reflections/{id}/next-steps/{step_id}`) "
    "and to find it on the agenda (`next_step_id`)."
)


class NextStep(NextStepBase, StrictInput):
    id: uuid.UUID | None = Field(
        default=None,
        description=f"{_STEP_ID} Left out, the step keeps the id of the reflection's current "
        "step with the same text, or gets a new one from the server.",
    )


class NextStepPublic(NextStepBase):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # type: ignore[assignment]

    id: uuid.UUID = Field(description=_STEP_ID)


def _step_update_schema(schema: dict[str, Any], model: type[Any]) -> None:
    """A PATCH body's schema (optional fields, null only where allowed), with an example."""
    documented = PartialUpdate.model_config.get("json_schema_extra")
    if callable(documented):
        documented(schema, model)  # type: ignore[call-arg]  # the two-argument form
    schema["examples"] = [{"done": True}]


class NextStepUpdate(partial(NextStepBase)):  # type: ignore[misc]
    """The fields of one next step to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_step_update_schema)
    not_null: ClassVar[frozenset[str]] = frozenset({"text", "done"})


def _one_per_id(steps: list[NextStep]) -> list[NextStep]:
    """A step id the client sends names one step: a repeat is refused where it stands."""
    seen: set[uuid.UUID] = set()
    for index, step in enumerate(steps):
        if step.id is None:
            continue
        if step.id in seen:
            error = PydanticCustomError("duplicate_id", "Another next step has this id.")
            details: InitErrorDetails = {"type": error, "loc": (index, "id"), "input": step.id}
            raise ValidationError.from_exception_data("NextSteps", [details])
        seen.add(step.id)
    return steps


PromptAnswers = Annotated[
    list[PromptAnswer],
    PydanticField(max_length=30),
    OnePerKey("prompt_key", REFLECTION_PROMPT_KEYS, "Each prompt may be answered once."),
]
Items = Annotated[list[ListItem], PydanticField(max_length=20)]
NextSteps = Annotated[list[NextStep], PydanticField(max_length=20), AfterValidator(_one_per_id)]


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
    model_config = with_example(
        {
            "mood": 7,
            "next_steps": [
                {"text": "Practise two system design mocks", "due_on": "2026-11-01", "done": True}
            ],
        }
    )
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
    next_steps: list[NextStepPublic] = []  # type: ignore[assignment]


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
