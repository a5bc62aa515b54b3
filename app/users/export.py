"""The whole of a user's data as one JSON document (GET /v1/me/export)."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from app.applications.models import Application, ApplicationPublic, StageChange, StageChangePublic
from app.applications.service import applications
from app.contacts.models import ContactPublic
from app.contacts.service import contacts
from app.core.db import utcnow
from app.core.identity import Caller
from app.feedback.models import FeedbackConversationPublic
from app.feedback.service import feedback_conversations
from app.interviews.models import InterviewPublic
from app.interviews.service import interviews
from app.outcomes.models import OutcomePublic
from app.outcomes.service import outcomes
from app.reflections.models import ReflectionPublic
from app.reflections.service import reflections
from app.shared.resource import Resource
from app.users.models import UserPublic
from app.users.service import get_user

EXPORT_FORMAT = "rebound-export"
EXPORT_VERSION = 1

RESOURCES: dict[str, Resource[Any]] = {
    "applications": applications,
    "interviews": interviews,
    "outcomes": outcomes,
    "feedback_conversations": feedback_conversations,
    "reflections": reflections,
    "contacts": contacts,
}


class Export(SQLModel):
    format: str = Field(default=EXPORT_FORMAT, description="Always `rebound-export`.")
    version: int = Field(default=EXPORT_VERSION, description="Version of this document's shape.")
    exported_at: datetime
    profile: UserPublic
    applications: list[ApplicationPublic]
    timeline: list[StageChangePublic]
    interviews: list[InterviewPublic]
    outcomes: list[OutcomePublic]
    feedback_conversations: list[FeedbackConversationPublic]
    reflections: list[ReflectionPublic]
    contacts: list[ContactPublic]


async def _live_rows(session: AsyncSession, caller: Caller, resource: Resource[Any]) -> list[Any]:
    table = resource.table
    columns = [getattr(table, name) for name in resource.public.model_fields]
    query = (
        select(*columns)
        .where(table.user_id == caller.id, table.deleted_at.is_(None))
        .order_by(table.created_at, table.id)
    )
    return list((await session.execute(query)).all())


async def export_user(session: AsyncSession, caller: Caller) -> dict[str, Any]:
    user = await get_user(session, caller.id)
    document: dict[str, Any] = {"exported_at": utcnow(), "profile": user}
    for name, resource in RESOURCES.items():
        document[name] = await _live_rows(session, caller, resource)
    timeline = await session.scalars(
        select(StageChange)
        .join(Application, col(Application.id) == col(StageChange.application_id))
        .where(  # the timelines of the live applications the document holds
            col(StageChange.user_id) == caller.id, col(Application.deleted_at).is_(None)
        )
        .order_by(StageChange.changed_at, StageChange.id)  # type: ignore[arg-type]
    )
    document["timeline"] = list(timeline)
    return document
