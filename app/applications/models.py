"""Applications (the jobs applied for) and their stage timeline."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field as PydanticField
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import Date, Index, String
from sqlmodel import Field, SQLModel

from app.core.db import JSONList, UTCDateTime
from app.shared.fields import Currency, Day, Money, Name, ShortText, Tags, Text, Url
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


class WorkMode(StrEnum):
    onsite = "onsite"
    hybrid = "hybrid"
    remote = "remote"


class Source(StrEnum):
    referral = "referral"
    network = "network"
    recruiter = "recruiter"
    job_board = "job_board"
    company_site = "company_site"
    other = "other"


class Stage(StrEnum):
    wishlist = "wishlist"
    applied = "applied"
    screening = "screening"
    interviewing = "interviewing"
    offer = "offer"
    rejected = "rejected"
    withdrawn = "withdrawn"
    on_hold = "on_hold"
    ghosted = "ghosted"


class StageCause(StrEnum):
    user = "user"
    outcome = "outcome"


class ApplicationFields(SQLModel):
    company: Name
    role_title: Name
    job_url: Url | None = None
    location: ShortText | None = None
    work_mode: WorkMode | None = None
    source: Source = Source.other
    referrer: ShortText | None = None
    salary_min: Money | None = None
    salary_max: Money | None = None
    currency: Currency | None = PydanticField(default=None, description="ISO 4217, e.g. `EUR`.")
    stage: Stage = Stage.applied
    applied_on: Day | None = None
    interest: int = PydanticField(default=3, ge=1, le=5, description="How much the user wants it.")
    notes: Text | None = None
    tags: Tags = []


class Application(OwnedRecord, table=True):
    __tablename__ = "applications"
    __table_args__ = owned_indexes("applications")

    company: str = Field(max_length=200)
    role_title: str = Field(max_length=200)
    job_url: str | None = Field(default=None, max_length=2048)
    location: str | None = Field(default=None, max_length=200)
    work_mode: str | None = Field(default=None, sa_type=String(16))
    source: str = Field(sa_type=String(16))
    referrer: str | None = Field(default=None, max_length=200)
    salary_min: int | None = None
    salary_max: int | None = None
    currency: str | None = Field(default=None, max_length=3)
    stage: str = Field(sa_type=String(16))
    applied_on: date | None = Field(default=None, sa_type=Date)
    interest: int = 3
    notes: str | None = Field(default=None, max_length=10_000)
    tags: list[str] = Field(default_factory=list, sa_type=JSONList)


def _salary_range(model: SQLModel) -> None:
    low, high = getattr(model, "salary_min", None), getattr(model, "salary_max", None)
    if low is not None and high is not None and low > high:
        # The code PATCH uses too (see service.py): a rule JSON Schema cannot state.
        raise PydanticCustomError("salary_range", "salary_min cannot be above salary_max.")


class ApplicationCreate(ApplicationFields, StrictInput):
    model_config = with_example(
        {
            "company": "Globex",
            "role_title": "Platform engineer",
            "job_url": "https://globex.example/jobs/42",
            "work_mode": "hybrid",
            "source": "referral",
            "referrer": "Hank Scorpio",
            "salary_min": 80000,
            "salary_max": 95000,
            "currency": "EUR",
            "stage": "applied",
            "applied_on": "2026-10-01",
            "interest": 4,
            "tags": ["platform", "berlin"],
        }
    )

    id: uuid.UUID | None = PydanticField(
        default=None, description="Optional client-generated id (offline-first clients)."
    )

    @model_validator(mode="after")
    def _check_salary(self) -> "ApplicationCreate":
        _salary_range(self)
        return self


class ApplicationUpdate(PartialUpdate):
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"company", "role_title", "source", "stage", "interest", "tags"}
    )

    company: Name | None = None
    role_title: Name | None = None
    job_url: Url | None = None
    location: ShortText | None = None
    work_mode: WorkMode | None = None
    source: Source | None = None
    referrer: ShortText | None = None
    salary_min: Money | None = None
    salary_max: Money | None = None
    currency: Currency | None = None
    stage: Stage | None = None
    applied_on: Day | None = None
    interest: int | None = PydanticField(default=None, ge=1, le=5)
    notes: Text | None = None
    tags: Tags | None = None

    @model_validator(mode="after")
    def _check_salary(self) -> "ApplicationUpdate":
        _salary_range(self)
        return self


class ApplicationPublic(ApplicationFields, RecordPublic):
    pass


ApplicationPage = page_model("ApplicationPage", ApplicationPublic)


class ApplicationSort(StrEnum):
    recent = "-updated_at"
    oldest_change = "updated_at"
    applied_on = "applied_on"
    applied_on_desc = "-applied_on"
    company = "company"
    company_desc = "-company"


class ApplicationParams(ListParams):
    stage: Stage | None = None
    source: Source | None = None
    tag: str | None = PydanticField(default=None, max_length=50)
    q: str | None = PydanticField(
        default=None, min_length=1, max_length=200, description="Substring of company or role."
    )
    sort: ApplicationSort = ApplicationSort.recent


class StageChange(SQLModel, table=True):
    """One line of an application's timeline: a stage change, when, and why."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        *same_user_reference("applications", "application_id", indexed=False),
        Index("ix_stage_changes_application", "user_id", "application_id", "changed_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    application_id: uuid.UUID
    from_stage: str | None = Field(default=None, sa_type=String(16))
    to_stage: str = Field(sa_type=String(16))
    changed_at: datetime = Field(sa_type=UTCDateTime)
    cause: str = Field(sa_type=String(16))
    outcome_id: uuid.UUID | None = None


class StageChangePublic(SQLModel):
    id: uuid.UUID
    application_id: uuid.UUID
    from_stage: Stage | None = PydanticField(description="Null for the first entry.")
    to_stage: Stage
    changed_at: datetime
    cause: StageCause = PydanticField(description="`user` edited it, or an `outcome` moved it.")
    outcome_id: uuid.UUID | None


class Timeline(SQLModel):
    items: list[StageChangePublic]
