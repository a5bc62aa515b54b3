"""HTTP for feedback conversations: create, list, get, update, delete, and the request draft."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.database import DatabaseDep
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.feedback import service
from app.feedback.drafts import RequestDraft
from app.feedback.models import (
    DraftFormat,
    FeedbackConversationCreate,
    FeedbackConversationPage,
    FeedbackConversationParams,
    FeedbackConversationPublic,
    FeedbackConversationUpdate,
)
from app.shared import responses

router = APIRouter(prefix="/v1/feedback-conversations", tags=["feedback"])
feedback_conversations = service.feedback_conversations


@router.post(
    "",
    status_code=201,
    response_model=FeedbackConversationPublic,
    operation_id="createFeedbackConversation",
    summary="Create a feedback conversation",
    description=(
        "Create a feedback conversation. Offline clients may send their own `id`: re-sending "
        "the same id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(FeedbackConversationPublic),
)
async def create_feedback_conversation(
    body: FeedbackConversationCreate, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """Log a feedback conversation after a rejection, planned or held."""
    return await responses.create_record(feedback_conversations, request, caller, database, body)


@router.get(
    "",
    response_model=FeedbackConversationPage,
    operation_id="listFeedbackConversations",
    summary="List feedback conversations",
    description=(
        "The caller's feedback conversations, keyset-paginated. With `updated_since` (a "
        "`sync_token`), only what changed since, deleted records included as tombstones, in "
        "change order."
    ),
    responses=responses.LIST_RESPONSES,
)
async def list_feedback_conversations(
    params: Annotated[FeedbackConversationParams, Query()], caller: CallerDep, database: DatabaseDep
) -> Response:
    """A page of the caller's feedback conversations, or what changed since a sync token."""
    return await responses.list_records(feedback_conversations, caller, database, params)


@router.get(
    "/{record_id}",
    response_model=FeedbackConversationPublic,
    operation_id="getFeedbackConversation",
    summary="Get a feedback conversation",
    description=(
        "One feedback conversation; send `If-None-Match` with its ETag to get 304 when unchanged."
    ),
    responses=responses.RECORD_RESPONSES,
)
async def get_feedback_conversation(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """One feedback conversation with its ETag."""
    return await responses.read_record(feedback_conversations, request, caller, database, record_id)


@router.patch(
    "/{record_id}",
    response_model=FeedbackConversationPublic,
    operation_id="updateFeedbackConversation",
    summary="Update a feedback conversation",
    description=(
        "Change some fields of a feedback conversation; fields left out stay as they are. "
        "Send `If-Match` with the ETag you read to avoid overwriting someone else's change."
    ),
    responses=responses.UPDATED_RESPONSES,
)
async def update_feedback_conversation(
    record_id: uuid.UUID,
    body: FeedbackConversationUpdate,
    request: Request,
    caller: CallerDep,
    session: SessionDep,
) -> Response:
    """Change some fields; the status moves only forward."""
    return await responses.update_record(
        feedback_conversations, request, caller, session, record_id, body
    )


@router.delete(
    "/{record_id}",
    status_code=204,
    operation_id="deleteFeedbackConversation",
    summary="Delete a feedback conversation",
    description=(
        "Soft-delete a feedback conversation (and what depends on it); delta sync reports "
        "tombstones. Honours `If-Match`."
    ),
    responses=responses.DELETED_RESPONSES,
)
async def delete_feedback_conversation(
    record_id: uuid.UUID, request: Request, caller: CallerDep, session: SessionDep
) -> None:
    """Tombstone the feedback conversation."""
    await responses.delete_record(feedback_conversations, request, caller, session, record_id)


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
