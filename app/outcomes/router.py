"""HTTP for outcomes: create, list, get, update and delete."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.database import DatabaseDep
from app.core.db import SessionDep
from app.core.identity import CallerDep
from app.outcomes import service
from app.outcomes.models import (
    OutcomeCreate,
    OutcomePage,
    OutcomeParams,
    OutcomePublic,
    OutcomeUpdate,
)
from app.shared import responses

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"])
outcomes = service.outcomes


@router.post(
    "",
    status_code=201,
    response_model=OutcomePublic,
    operation_id="createOutcome",
    summary="Create an outcome",
    description=(
        "Create an outcome. Offline clients may send their own `id`: re-sending the same "
        "id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(OutcomePublic),
)
async def create_outcome(
    body: OutcomeCreate, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """Record what came of an application; its stage moves with it."""
    return await responses.create_record(outcomes, request, caller, database, body)


@router.get(
    "",
    response_model=OutcomePage,
    operation_id="listOutcomes",
    summary="List outcomes",
    description=(
        "The caller's outcomes, keyset-paginated. With `updated_since` (a `sync_token`), "
        "only what changed since, deleted records included as tombstones, in change order."
    ),
    responses=responses.LIST_RESPONSES,
)
async def list_outcomes(
    params: Annotated[OutcomeParams, Query()], caller: CallerDep, database: DatabaseDep
) -> Response:
    """A page of the caller's outcomes, or what changed since a sync token."""
    return await responses.list_records(outcomes, caller, database, params)


@router.get(
    "/{record_id}",
    response_model=OutcomePublic,
    operation_id="getOutcome",
    summary="Get an outcome",
    description="One outcome; send `If-None-Match` with its ETag to get 304 when unchanged.",
    responses=responses.RECORD_RESPONSES,
)
async def get_outcome(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """One outcome with its ETag."""
    return await responses.read_record(outcomes, request, caller, database, record_id)


@router.patch(
    "/{record_id}",
    response_model=OutcomePublic,
    operation_id="updateOutcome",
    summary="Update an outcome",
    description=(
        "Change some fields of an outcome; fields left out stay as they are. "
        "Send `If-Match` with the ETag you read to avoid overwriting someone else's change."
    ),
    responses=responses.UPDATED_RESPONSES,
)
async def update_outcome(
    record_id: uuid.UUID,
    body: OutcomeUpdate,
    request: Request,
    caller: CallerDep,
    session: SessionDep,
) -> Response:
    """Change some fields; a changed kind moves the application's stage."""
    return await responses.update_record(outcomes, request, caller, session, record_id, body)


@router.delete(
    "/{record_id}",
    status_code=204,
    operation_id="deleteOutcome",
    summary="Delete an outcome",
    description=(
        "Soft-delete an outcome (and what depends on it); delta sync reports "
        "tombstones. Honours `If-Match`."
    ),
    responses=responses.DELETED_RESPONSES,
)
async def delete_outcome(
    record_id: uuid.UUID, request: Request, caller: CallerDep, session: SessionDep
) -> None:
    """Tombstone the outcome and what was recorded about it."""
    await responses.delete_record(outcomes, request, caller, session, record_id)
