"""The whole of a user's data as one JSON document (GET /v1/me/export)."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from app.applications.models import (
    APPLICATIONS,
    Application,
    ApplicationPublic,
    StageChange,
    StageChangePublic,
)
from app.contacts.models import CONTACTS, ContactPublic
from app.core.db import utcnow
from app.core.identity import Caller
from app.feedback.models import FEEDBACK_CONVERSATIONS, FeedbackConversationPublic
from app.interviews.models import INTERVIEWS, InterviewPublic
from app.outcomes.models import OUTCOMES, OutcomePublic
from app.reflections.models import REFLECTIONS, ReflectionPublic
from app.shared.repository import Records
from app.users.models import UserPublic
from app.users.service import get_user

EXPORT_FORMAT = "rebound-export"
EXPORT_VERSION = 1

RESOURCES: dict[str, Records] = {
    "applications": APPLICATIONS,
    "interviews": INTERVIEWS,
    "outcomes": OUTCOMES,
    "feedback_conversations": FEEDBACK_CONVERSATIONS,
    "reflections": REFLECTIONS,
    "contacts": CONTACTS,
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


async def _live_rows(session: AsyncSession, caller: Caller, resource: Records) -> list[Any]:
    table = resource.columns
    columns = [table.c[name] for name in resource.shown]
    query = (
        select(*columns)
        .where(table.c.user_id == caller.id, table.c.deleted_at.is_(None))
        .order_by(table.c.created_at, table.c.id)
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
