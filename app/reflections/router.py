"""HTTP for reflections: create, list, get, update and delete; change one next step."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.database import DatabaseDep
from app.core.identity import CallerDep
from app.reflections import service
from app.reflections.models import (
    REFLECTIONS,
    NextStepUpdate,
    ReflectionCreate,
    ReflectionPage,
    ReflectionParams,
    ReflectionPublic,
    ReflectionUpdate,
)
from app.shared import repository, responses
from app.shared.pagination import json_response
from app.shared.quota import RecordQuotaDep

router = APIRouter(prefix="/v1/reflections", tags=["reflections"])


@router.post(
    "",
    status_code=201,
    response_model=ReflectionPublic,
    operation_id="createReflection",
    summary="Create a reflection",
    description=(
        "Create a reflection. An `application_id` or `outcome_id` that names none of the "
        "caller's live records answers 422 naming that field. "
        "Offline clients may send their own `id`: re-sending the same "
        "id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(ReflectionPublic),
)
async def create_reflection(
    body: ReflectionCreate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    quota: RecordQuotaDep,
) -> Response:
    """Write a private, guided reflection."""
    row, is_new = await service.create_reflection(database, caller, body, quota)
    return responses.created(request, REFLECTIONS.body(row), is_new)


@router.get(
    "",
    response_model=ReflectionPage,
    operation_id="listReflections",
    summary="List reflections",
    description=(
        "The caller's reflections, keyset-paginated. With `updated_since` (a `sync_token`), "
        "only what changed since, deleted records included as tombstones, in change order."
    ),
    responses=responses.LIST_RESPONSES,
)
async def list_reflections(
    params: Annotated[ReflectionParams, Query()], caller: CallerDep, database: DatabaseDep
) -> Response:
    """A page of the caller's reflections, or what changed since a sync token."""
    return json_response(await repository.list_page(database, caller, REFLECTIONS, params))


@router.get(
    "/{record_id}",
    response_model=ReflectionPublic,
    operation_id="getReflection",
    summary="Get a reflection",
    description="One reflection; send `If-None-Match` with its ETag to get 304 when unchanged.",
    responses=responses.RECORD_RESPONSES,
)
async def get_reflection(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """One reflection with its ETag."""
    row = await repository.get(database, caller, REFLECTIONS, record_id)
    return responses.record(request, REFLECTIONS.body(row))


@router.patch(
    "/{record_id}",
    response_model=ReflectionPublic,
    operation_id="updateReflection",
    summary="Update a reflection",
    description=(
        "Change some fields of a reflection; fields left out stay as they are. "
        "Send `If-Match` with the ETag you read to avoid overwriting someone else's change."
    ),
    responses=responses.UPDATED_RESPONSES,
)
async def update_reflection(
    record_id: uuid.UUID,
    body: ReflectionUpdate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
) -> Response:
    """Change some fields of a reflection."""
    check = responses.if_match(request)
    row = await service.update_reflection(database, caller, record_id, body, check)
    return responses.updated(REFLECTIONS.body(row))


@router.patch(
    "/{record_id}/next-steps/{step_id}",
    response_model=ReflectionPublic,
    operation_id="updateReflectionNextStep",
    summary="Update one next step of a reflection",
    description=(
        "Change some fields of one next step (`done`, `text`, `due_on`), found by its `id`; "
        "the other steps stay as they are, so two devices changing different steps do not "
        "overwrite each other. Answers the whole reflection with its new ETag. Send "
        "`If-Match` with the reflection's ETag to refuse (412) a change made since you read "
        "it. 404 when the reflection or the step is not found."
    ),
    responses=responses.UPDATED_RESPONSES,
)
async def update_reflection_next_step(
    record_id: uuid.UUID,
    step_id: uuid.UUID,
    body: NextStepUpdate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
) -> Response:
    """Change one next step of a reflection."""
    check = responses.if_match(request)
    row = await service.update_next_step(database, caller, record_id, step_id, body, check)
    return responses.updated(REFLECTIONS.body(row))


@router.delete(
    "/{record_id}",
    status_code=204,
    operation_id="deleteReflection",
    summary="Delete a reflection",
    description=(
        "Soft-delete a reflection (and what depends on it); delta sync reports "
        "tombstones. Honours `If-Match`."
    ),
    responses=responses.DELETED_RESPONSES,
)
async def delete_reflection(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> None:
    """Tombstone the reflection."""
    await service.delete_reflection(database, caller, record_id, responses.if_match(request))
