"""HTTP for outcomes: create, list, get, update and delete."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.database import DatabaseDep
from app.core.identity import CallerDep
from app.outcomes import service
from app.outcomes.models import (
    OUTCOMES,
    OutcomeCreate,
    OutcomePage,
    OutcomeParams,
    OutcomePublic,
    OutcomeUpdate,
)
from app.shared import repository, responses
from app.shared.pagination import json_response
from app.shared.quota import RecordQuotaDep

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"])


@router.post(
    "",
    status_code=201,
    response_model=OutcomePublic,
    operation_id="createOutcome",
    summary="Create an outcome",
    description=(
        "Create an outcome. Its application moves on its own to the outcome's stage (offer → "
        "`offer`, rejection → `rejected`, on_hold, withdrawn, ghosted), with a new version "
        "and ETag and a timeline line with cause `outcome`, seen by delta sync. "
        "An `application_id` that names none of the caller's live applications answers 422 "
        "naming `body.application_id`. "
        "Offline clients may send their own `id`: re-sending the same "
        "id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(OutcomePublic),
)
async def create_outcome(
    body: OutcomeCreate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    quota: RecordQuotaDep,
) -> Response:
    """Record what came of an application; its stage moves with it."""
    row, is_new = await service.create_outcome(database, caller, body, quota)
    return responses.created(request, OUTCOMES.body(row), is_new)


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
    return json_response(await repository.list_page(database, caller, OUTCOMES, params))


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
    row = await repository.get(database, caller, OUTCOMES, record_id)
    return responses.record(request, OUTCOMES.body(row))


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
    database: DatabaseDep,
) -> Response:
    """Change some fields; a changed kind moves the application's stage."""
    check = responses.if_match(request)
    row = await service.update_outcome(database, caller, record_id, body, check)
    return responses.updated(OUTCOMES.body(row))


@router.delete(
    "/{record_id}",
    status_code=204,
    operation_id="deleteOutcome",
    summary="Delete an outcome",
    description=(
        "Soft-delete an outcome (and what depends on it); delta sync reports "
        "tombstones. The application moves back to its stage before the outcome moved it, "
        "unless something moved it since. Honours `If-Match`."
    ),
    responses=responses.DELETED_RESPONSES,
)
async def delete_outcome(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> None:
    """Tombstone the outcome and what was recorded about it."""
    await service.delete_outcome(database, caller, record_id, responses.if_match(request))
