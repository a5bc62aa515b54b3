"""HTTP for feedback conversations: create, list, get, update, delete, and the request draft."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.database import DatabaseDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.feedback import service
from app.feedback.drafts import RequestDraft
from app.feedback.models import (
    FEEDBACK_CONVERSATIONS,
    DraftFormat,
    FeedbackConversationCreate,
    FeedbackConversationPage,
    FeedbackConversationParams,
    FeedbackConversationPublic,
    FeedbackConversationUpdate,
)
from app.shared import repository, responses
from app.shared.pagination import json_response
from app.shared.quota import RecordQuotaDep

router = APIRouter(prefix="/v1/feedback-conversations", tags=["feedback"])


@router.post(
    "",
    status_code=201,
    response_model=FeedbackConversationPublic,
    operation_id="createFeedbackConversation",
    summary="Create a feedback conversation",
    description=(
        "Create a feedback conversation. An `application_id`, `outcome_id` or `contact_id` "
        "that names none of the caller's live records answers 422 naming that field. "
        "Offline clients may send their own `id`: re-sending "
        "the same id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(FeedbackConversationPublic),
)
async def create_feedback_conversation(
    body: FeedbackConversationCreate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    quota: RecordQuotaDep,
) -> Response:
    """Log a feedback conversation after a rejection, planned or held."""
    row, is_new = await service.create_feedback_conversation(database, caller, body, quota)
    return responses.created(request, FEEDBACK_CONVERSATIONS.body(row), is_new)


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
    return json_response(
        await repository.list_page(database, caller, FEEDBACK_CONVERSATIONS, params)
    )


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
    row = await repository.get(database, caller, FEEDBACK_CONVERSATIONS, record_id)
    return responses.record(request, FEEDBACK_CONVERSATIONS.body(row))


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
    database: DatabaseDep,
) -> Response:
    """Change some fields; the status moves only forward."""
    check = responses.if_match(request)
    row = await service.update_feedback_conversation(database, caller, record_id, body, check)
    return responses.updated(FEEDBACK_CONVERSATIONS.body(row))


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
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> None:
    """Tombstone the feedback conversation."""
    await service.delete_feedback_conversation(
        database, caller, record_id, responses.if_match(request)
    )


@router.get(
    "/{record_id}/request-draft",
    operation_id="getFeedbackRequestDraft",
    responses=problem_responses(404, 422),
)
async def get_request_draft(
    record_id: uuid.UUID,
    caller: CallerDep,
    database: DatabaseDep,
    format: Annotated[DraftFormat, Query(description="`email` or `call_script`.")] = "email",  # noqa: A002
) -> RequestDraft:
    """A short, sincere feedback request (email) or a call script, with everyone's names."""
    return await service.request_draft(database, caller, record_id, format)
