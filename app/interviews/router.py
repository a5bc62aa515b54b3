"""HTTP for interviews: create, list, get, update and delete."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.database import DatabaseDep
from app.core.db import SessionDep
from app.core.identity import CallerDep
from app.interviews import service
from app.interviews.models import (
    InterviewCreate,
    InterviewPage,
    InterviewParams,
    InterviewPublic,
    InterviewUpdate,
)
from app.shared import responses

router = APIRouter(prefix="/v1/interviews", tags=["interviews"])
interviews = service.interviews


@router.post(
    "",
    status_code=201,
    response_model=InterviewPublic,
    operation_id="createInterview",
    summary="Create an interview",
    description=(
        "Create an interview. Offline clients may send their own `id`: re-sending the same "
        "id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(InterviewPublic),
)
async def create_interview(
    body: InterviewCreate, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """Record an interview of one of the caller's interviews."""
    return await responses.create_record(interviews, request, caller, database, body)


@router.get(
    "",
    response_model=InterviewPage,
    operation_id="listInterviews",
    summary="List interviews",
    description=(
        "The caller's interviews, keyset-paginated. With `updated_since` (a `sync_token`), "
        "only what changed since, deleted records included as tombstones, in change order."
    ),
    responses=responses.LIST_RESPONSES,
)
async def list_interviews(
    params: Annotated[InterviewParams, Query()], caller: CallerDep, database: DatabaseDep
) -> Response:
    """A page of the caller's interviews, or what changed since a sync token."""
    return await responses.list_records(interviews, caller, database, params)


@router.get(
    "/{record_id}",
    response_model=InterviewPublic,
    operation_id="getInterview",
    summary="Get an interview",
    description="One interview; send `If-None-Match` with its ETag to get 304 when unchanged.",
    responses=responses.RECORD_RESPONSES,
)
async def get_interview(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """One interview with its ETag."""
    return await responses.read_record(interviews, request, caller, database, record_id)


@router.patch(
    "/{record_id}",
    response_model=InterviewPublic,
    operation_id="updateInterview",
    summary="Update an interview",
    description=(
        "Change some fields of an interview; fields left out stay as they are. "
        "Send `If-Match` with the ETag you read to avoid overwriting someone else's change."
    ),
    responses=responses.UPDATED_RESPONSES,
)
async def update_interview(
    record_id: uuid.UUID,
    body: InterviewUpdate,
    request: Request,
    caller: CallerDep,
    session: SessionDep,
) -> Response:
    """Change some fields of an interview."""
    return await responses.update_record(interviews, request, caller, session, record_id, body)


@router.delete(
    "/{record_id}",
    status_code=204,
    operation_id="deleteInterview",
    summary="Delete an interview",
    description=(
        "Soft-delete an interview (and what depends on it); delta sync reports "
        "tombstones. Honours `If-Match`."
    ),
    responses=responses.DELETED_RESPONSES,
)
async def delete_interview(
    record_id: uuid.UUID, request: Request, caller: CallerDep, session: SessionDep
) -> None:
    """Tombstone the interview."""
    await responses.delete_record(interviews, request, caller, session, record_id)
