"""Feedback conversations: references, status transitions and the request draft."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.models import Application
from app.auth.deps import Caller
from app.core.errors import FieldError, ProblemError
from app.feedback.drafts import RequestDraft, render_request_draft
from app.feedback.models import (
    DraftFormat,
    FeedbackConversation,
    FeedbackConversationCreate,
    FeedbackConversationParams,
    FeedbackConversationPublic,
    FeedbackConversationUpdate,
)
from app.feedback.transitions import check_transition
from app.outcomes.models import Outcome
from app.shared.resource import Resource, require_owned
from app.users.models import User


async def check_outcome_of(
    session: AsyncSession, caller: Caller, outcome_id: uuid.UUID, application_id: uuid.UUID | None
) -> Outcome:
    """The caller's outcome, which must belong to `application_id` when one is given."""
    outcome = await require_owned(session, caller, Outcome, outcome_id, "outcome")
    assert isinstance(outcome, Outcome)
    if application_id is not None and outcome.application_id != application_id:
        raise ProblemError(
            422,
            "The outcome belongs to another application.",
            slug="validation-error",
            errors=[
                FieldError(
                    field="body.outcome_id",
                    message="This outcome is not about the same application.",
                    code="application_mismatch",
                )
            ],
        )
    return outcome


class FeedbackConversations(Resource[FeedbackConversation]):
    table = FeedbackConversation
    public = FeedbackConversationPublic
    create = FeedbackConversationCreate
    update = FeedbackConversationUpdate
    params = FeedbackConversationParams
    noun = "feedback conversation"
    equal_filters = ("application_id", "outcome_id", "status")

    async def before_create(
        self, session: AsyncSession, caller: Caller, values: dict[str, Any]
    ) -> None:
        await require_owned(session, caller, Application, values["application_id"], "application")
        if values.get("outcome_id") is not None:
            await check_outcome_of(session, caller, values["outcome_id"], values["application_id"])

    async def before_update(
        self,
        session: AsyncSession,
        caller: Caller,
        record: FeedbackConversation,
        changes: dict[str, Any],
    ) -> None:
        if "status" in changes:
            check_transition(record.status, changes["status"])
        if changes.get("outcome_id") is not None:
            await check_outcome_of(session, caller, changes["outcome_id"], record.application_id)


feedback_conversations = FeedbackConversations()


async def request_draft(
    session: AsyncSession, caller: Caller, conversation_id: uuid.UUID, kind: DraftFormat
) -> RequestDraft:
    conversation = await feedback_conversations.get(session, caller, conversation_id)
    application = await session.get(Application, conversation.application_id)
    user = await session.get(User, caller.id)
    assert application is not None and user is not None
    return render_request_draft(
        kind,
        user_name=user.display_name,
        contact_name=conversation.contact_name,
        company=application.company,
        role_title=application.role_title,
    )
