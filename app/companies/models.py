"""What the companies routes answer: employers by key, each with its history."""

from datetime import date

from pydantic import Field
from sqlmodel import SQLModel

from app.applications.models import ApplicationPublic
from app.contacts.models import ContactPublic
from app.feedback.models import FeedbackConversationPublic
from app.outcomes.models import OutcomePublic
from app.shared.pagination import PageParams


class CompanyParams(PageParams):
    q: str | None = Field(
        default=None, min_length=1, max_length=200, description="Part of the company's name."
    )


class CompanySummary(SQLModel):
    key: str = Field(
        description="The employer, however its name was written (`ACME GmbH` and `Acme` are "
        "`acme`): GET /v1/companies/{key}."
    )
    name: str = Field(description="The name as the caller last wrote it.")
    applications: int = Field(description="Live applications there.")
    outcomes: int = Field(description="Outcomes recorded for them.")
    rejections: int
    offers: int
    last_applied_on: date | None


class CompanyPage(SQLModel):
    """A page of the caller's companies, by key."""

    items: list[CompanySummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class CompanyHistory(SQLModel):
    """Everything recorded at one employer: what happened last time."""

    key: str
    name: str
    applications: list[ApplicationPublic] = Field(description="Latest applied first.")
    outcomes: list[OutcomePublic] = Field(description="With the reasons given or suspected.")
    feedback_conversations: list[FeedbackConversationPublic]
    contacts: list[ContactPublic] = Field(description="People met there.")
