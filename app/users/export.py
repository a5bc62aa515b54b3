"""The whole of a user's data as one JSON document (GET /v1/me/export)."""

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Field, SQLModel, col

from app.applications.models import (
    APPLICATIONS,
    Application,
    ApplicationPublic,
    StageChange,
    StageChangePublic,
)
from app.contacts.models import CONTACTS, ContactPublic
from app.core.database import Executor
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


def _live_rows(resource: Records) -> Any:
    table = resource.columns
    return (
        select(*(table.c[name] for name in resource.shown))
        .where(table.c.user_id == bindparam("user_id"), table.c.deleted_at.is_(None))
        .order_by(table.c.created_at, table.c.id)
    )


_STATEMENTS = {name: _live_rows(resource) for name, resource in RESOURCES.items()}
_steps = StageChange.__table__.c  # type: ignore[attr-defined]
_TIMELINE = (  # the timelines of the live applications the document holds
    select(*(_steps[name] for name in StageChangePublic.model_fields))
    .join(
        Application,
        (col(Application.user_id) == _steps.user_id)
        & (col(Application.id) == _steps.application_id),
    )
    .where(_steps.user_id == bindparam("user_id"), col(Application.deleted_at).is_(None))
    .order_by(_steps.changed_at, _steps.id)
)


async def export_user(database: Executor, caller: Caller) -> dict[str, Any]:
    values = {"user_id": caller.id}
    async with database.transaction() as tx:
        document: dict[str, Any] = {
            "exported_at": utcnow(),
            "profile": dict(await get_user(tx, caller.id)),
        }
        for name, statement in _STATEMENTS.items():
            document[name] = [dict(row) for row in await tx.rows(statement, values)]
        document["timeline"] = [dict(row) for row in await tx.rows(_TIMELINE, values)]
    return document
