"""Deleting an application tombstones everything recorded about it, and unlinks contacts."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.contacts.service import forget_application
from app.core.identity import Caller
from app.feedback.models import FeedbackConversation
from app.interviews.models import Interview
from app.outcomes.models import Outcome
from app.reflections.models import Reflection
from app.shared.resource import soft_delete_where

DEPENDENTS = (Interview, Outcome, FeedbackConversation, Reflection)


async def delete_dependents(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID, seq: int
) -> None:
    for table in DEPENDENTS:
        await soft_delete_where(
            session,
            table,
            caller,
            seq,
            col(table.application_id) == application_id,
        )
    await forget_application(session, caller, application_id, seq)
