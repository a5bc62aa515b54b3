"""HTTP for interviews: create, list, get, update and delete."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.database import DatabaseDep
from app.core.identity import CallerDep
from app.interviews import service
from app.interviews.models import (
    INTERVIEWS,
    InterviewCreate,
    InterviewPage,
    InterviewParams,
    InterviewPublic,
    InterviewUpdate,
)
from app.shared import repository, responses
from app.shared.pagination import json_response
from app.shared.quota import RecordQuotaDep

router = APIRouter(prefix="/v1/interviews", tags=["interviews"])


@router.post(
    "",
    status_code=201,
    response_model=InterviewPublic,
    operation_id="createInterview",
    summary="Create an interview",
    description=(
        "Create an interview. Its application moves forward on its own: at `wishlist`, "
        "`applied` or `screening`, it moves to `interviewing` (a new version and ETag, a "
        "timeline line with cause `interview`, seen by delta sync); at a later stage it stays. "
        "An `application_id` that names none of the caller's live applications answers 422 "
        "naming `body.application_id`. "
        "Offline clients may send their own `id`: re-sending the same "
        "id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(InterviewPublic),
)
async def create_interview(
    body: InterviewCreate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    quota: RecordQuotaDep,
) -> Response:
    """Record an interview for one of the caller's applications."""
    row, is_new = await service.create_interview(database, caller, body, quota)
    return responses.created(request, INTERVIEWS.body(row), is_new)


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
    return json_response(await repository.list_page(database, caller, INTERVIEWS, params))


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
    row = await repository.get(database, caller, INTERVIEWS, record_id)
    return responses.record(request, INTERVIEWS.body(row))


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
    database: DatabaseDep,
) -> Response:
    """Change some fields of an interview."""
    check = responses.if_match(request)
    row = await service.update_interview(database, caller, record_id, body, check)
    return responses.updated(INTERVIEWS.body(row))


@router.delete(
    "/{record_id}",
    status_code=204,
    operation_id="deleteInterview",
    summary="Delete an interview",
    description=(
        "Soft-delete an interview (and what depends on it); delta sync reports "
        "tombstones. When it was the application's last interview and its recording moved "
        "the application to `interviewing`, the application moves back to its stage before, "
        "unless something moved it since. Honours `If-Match`."
    ),
    responses=responses.DELETED_RESPONSES,
)
async def delete_interview(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> None:
    """Tombstone the interview."""
    await service.delete_interview(database, caller, record_id, responses.if_match(request))
