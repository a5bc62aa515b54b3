"""Applications (the jobs applied for) and their stage timeline."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

import sqlalchemy as sa
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import Date, Index, String, bindparam, func, literal
from sqlmodel import AutoString, Field, SQLModel

from app.core.db import JSONList, UTCDateTime
from app.shared.company_names import KEY_LENGTH as COMPANY_KEY_LENGTH
from app.shared.company_names import with_company_key
from app.shared.fields import Currency, Day, LongText, Money, Name, ShortText, Tags, Text, Url
from app.shared.job_urls import KEY_LENGTH, job_url_key
from app.shared.pagination import ListParams, SortKey, page_model, parse_date, parse_text
from app.shared.records import (
    OwnedRecord,
    RecordPublic,
    StrictInput,
    owned_indexes,
    owned_key,
    partial,
    same_user_reference,
    with_example,
)
from app.shared.repository import Filter, Records, equal
from app.shared.search import matches_substring, substring_pattern
from app.shared.tags import list_contains, member_value


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
    interview = "interview"
    outcome = "outcome"


class ApplicationBase(SQLModel):
    """The fields of an application, as the API takes and shows them and the table stores
    them."""

    company: Name = Field(sa_type=AutoString(200))
    role_title: Name = Field(sa_type=AutoString(200))
    job_url: Url | None = Field(default=None, sa_type=AutoString(2048))
    location: ShortText | None = Field(default=None, sa_type=AutoString(200))
    work_mode: WorkMode | None = Field(default=None, sa_type=String(16))
    source: Source = Field(default=Source.other, sa_type=String(16))
    referrer: ShortText | None = Field(default=None, sa_type=AutoString(200))
    salary_min: Money | None = None
    salary_max: Money | None = None
    currency: Currency | None = Field(
        default=None, sa_type=AutoString(3), description="ISO 4217, e.g. `EUR`."
    )
    stage: Stage = Field(
        default=Stage.applied,
        sa_type=String(16),
        description=(
            "Where the application stands. It also moves on its own when something is "
            "recorded, only then and only forward: recording an interview moves `wishlist`, "
            "`applied` or `screening` to `interviewing`; recording an outcome moves it to the "
            "outcome's stage (offer → `offer`, rejection → `rejected`, on_hold, withdrawn, "
            "ghosted). Deleting the outcome, or the last interview, moves it back if nothing "
            "moved it since. The user may set any stage at any time; every move is on the "
            "timeline."
        ),
    )
    applied_on: Day | None = Field(default=None, sa_type=Date)
    interest: int = Field(default=3, ge=1, le=5, description="How much the user wants it.")
    notes: Text | None = Field(default=None, sa_type=AutoString(10_000))
    tags: Tags = Field(default=[], sa_type=JSONList)
    job_description: LongText | None = Field(
        default=None,
        sa_type=sa.Text,
        description="The posting's text, kept because postings vanish once filled "
        "(POST /v1/intake/posting drafts it from a page).",
    )


class Application(ApplicationBase, OwnedRecord, table=True):
    __tablename__ = "applications"
    __table_args__ = (
        *owned_indexes("applications"),
        Index("ix_applications_user_job_url", "user_id", "job_url_key"),
        Index("ix_applications_user_company", "user_id", "company_key"),
    )

    # The posting `job_url` names, without tracking parameters: the `job_url` filter's key.
    job_url_key: str | None = Field(default=None, sa_type=AutoString(KEY_LENGTH))
    # The employer `company` names ("ACME GmbH" and "Acme" are one): GET /v1/companies/{key}.
    company_key: str | None = Field(default=None, sa_type=AutoString(COMPANY_KEY_LENGTH))


def _salary_range(model: SQLModel) -> None:
    low, high = getattr(model, "salary_min", None), getattr(model, "salary_max", None)
    if low is not None and high is not None and low > high:
        # The code PATCH uses too (see service.py): a rule JSON Schema cannot state.
        raise PydanticCustomError("salary_range", "salary_min cannot be above salary_max.")


class ApplicationCreate(ApplicationBase, StrictInput):
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

    id: uuid.UUID | None = Field(
        default=None, description="Optional client-generated id (offline-first clients)."
    )

    @model_validator(mode="after")
    def _check_salary(self) -> "ApplicationCreate":
        _salary_range(self)
        return self


class ApplicationUpdate(partial(ApplicationBase)):  # type: ignore[misc]
    model_config = with_example({"stage": "interviewing", "interest": 5, "tags": ["remote"]})
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"company", "role_title", "source", "stage", "interest", "tags"}
    )

    @model_validator(mode="after")
    def _check_salary(self) -> "ApplicationUpdate":
        _salary_range(self)
        return self


class ApplicationPublic(ApplicationBase, RecordPublic):
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
    tag: str | None = Field(default=None, max_length=50)
    q: str | None = Field(
        default=None, min_length=1, max_length=200, description="Substring of company or role."
    )
    job_url: str | None = Field(
        default=None,
        min_length=1,
        max_length=2048,
        description='Applications for the posting this URL names ("have I applied already?"): '
        "compared without tracking parameters (`utm_*`, `gh_src`, `lever-source`, …), the "
        "fragment, `www.` or a trailing slash.",
    )
    sort: ApplicationSort = ApplicationSort.recent


class StageChange(SQLModel, table=True):
    """One line of an application's timeline: a stage change, when, and why."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        owned_key(),
        *same_user_reference("applications", "application_id", indexed=False),
        Index("ix_stage_changes_application", "user_id", "application_id", "changed_at"),
        # An outcome that moved the stage: the caller's own, as every reference.
        *same_user_reference("outcomes", "outcome_id"),
    )

    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    application_id: uuid.UUID
    from_stage: str | None = Field(default=None, sa_type=String(16))
    to_stage: str = Field(sa_type=String(16))
    changed_at: datetime = Field(sa_type=UTCDateTime)
    cause: str = Field(sa_type=String(16))
    outcome_id: uuid.UUID | None = None


class StageChangePublic(SQLModel):
    id: uuid.UUID
    application_id: uuid.UUID
    from_stage: Stage | None = Field(description="Null for the first entry.")
    to_stage: Stage
    changed_at: datetime
    cause: StageCause = Field(
        description="`user` set it; an `interview` recorded (or deleted) moved it; an "
        "`outcome` recorded, changed or deleted moved it."
    )
    outcome_id: uuid.UUID | None


class Timeline(SQLModel):
    items: list[StageChangePublic]


_table = Application.__table__.c  # type: ignore[attr-defined]
# Undated applications sort before every dated one (valid dates start in 1970).
_NO_DATE = literal(date(1900, 1, 1), Date)

APPLICATIONS = Records(
    Application,
    ApplicationPublic,
    "application",
    filters={
        "stage": equal(_table.stage),
        "source": equal(_table.source),
        "tag": Filter(
            lambda dialect: list_contains(_table.tags, "f_tag", dialect),
            lambda tag, dialect: member_value(tag, dialect),
        ),
        "q": Filter(
            lambda _dialect: matches_substring([_table.company, _table.role_title], "f_q"),
            lambda q, _dialect: substring_pattern(q),
        ),
        "job_url": Filter(
            lambda _dialect: _table.job_url_key == bindparam("f_job_url"),
            # A URL without a host names no posting: it matches none.
            lambda url, _dialect: job_url_key(url) or "",
        ),
    },
    derive=lambda values: {
        **({"job_url_key": job_url_key(values["job_url"])} if "job_url" in values else {}),
        **with_company_key(values),
    },
    sorts={
        "company": lambda descending: [
            SortKey(func.lower(_table.company).cast(String), descending, parse_text)
        ],
        "applied_on": lambda descending: [
            SortKey(func.coalesce(_table.applied_on, _NO_DATE), descending, parse_date)
        ],
    },
)
