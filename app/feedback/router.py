"""HTTP for feedback conversations, plus the request draft."""

import uuid
from typing import Annotated

from fastapi import Query

from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.feedback import service
from app.feedback.drafts import RequestDraft
from app.feedback.models import DraftFormat
from app.shared.router import resource_router

router = resource_router(
    service.feedback_conversations,
    prefix="/v1/feedback-conversations",
    tag="feedback",
    singular="FeedbackConversation",
    plural="FeedbackConversations",
    noun="feedback conversation",
)


@router.get(
    "/{record_id}/request-draft",
    operation_id="getFeedbackRequestDraft",
    responses=problem_responses(404, 422),
)
async def get_request_draft(
    record_id: uuid.UUID,
    caller: CallerDep,
    session: SessionDep,
    format: Annotated[DraftFormat, Query(description="`email` or `call_script`.")] = "email",  # noqa: A002
) -> RequestDraft:
    """A short, sincere feedback request (email) or a call script, with everyone's names."""
    return await service.request_draft(session, caller, record_id, format)
