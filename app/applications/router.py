"""HTTP for applications: create, list, get, update, delete, and the stage timeline."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.applications import service
from app.applications.models import (
    APPLICATIONS,
    ApplicationCreate,
    ApplicationPage,
    ApplicationParams,
    ApplicationPublic,
    ApplicationUpdate,
    StageChangePublic,
    Timeline,
)
from app.core.database import DatabaseDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.shared import repository, responses
from app.shared.pagination import json_response
from app.shared.quota import RecordQuotaDep

router = APIRouter(prefix="/v1/applications", tags=["applications"])


@router.post(
    "",
    status_code=201,
    response_model=ApplicationPublic,
    operation_id="createApplication",
    summary="Create an application",
    description=(
        "Create an application. Offline clients may send their own `id`: re-sending the same "
        "id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(ApplicationPublic),
)
async def create_application(
    body: ApplicationCreate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    quota: RecordQuotaDep,
) -> Response:
    """Record a job applied for (or wished for)."""
    row, is_new = await service.create_application(database, caller, body, quota)
    return responses.created(request, APPLICATIONS.body(row), is_new)


@router.get(
    "",
    response_model=ApplicationPage,
    operation_id="listApplications",
    summary="List applications",
    description=(
        "The caller's applications, keyset-paginated. With `updated_since` (a `sync_token`), "
        "only what changed since, deleted records included as tombstones, in change order."
    ),
    responses=responses.LIST_RESPONSES,
)
async def list_applications(
    params: Annotated[ApplicationParams, Query()], caller: CallerDep, database: DatabaseDep
) -> Response:
    """A page of the caller's applications, or what changed since a sync token."""
    return json_response(await repository.list_page(database, caller, APPLICATIONS, params))


@router.get(
    "/{record_id}",
    response_model=ApplicationPublic,
    operation_id="getApplication",
    summary="Get an application",
    description="One application; send `If-None-Match` with its ETag to get 304 when unchanged.",
    responses=responses.RECORD_RESPONSES,
)
async def get_application(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """One application with its ETag."""
    row = await repository.get(database, caller, APPLICATIONS, record_id)
    return responses.record(request, APPLICATIONS.body(row))


@router.patch(
    "/{record_id}",
    response_model=ApplicationPublic,
    operation_id="updateApplication",
    summary="Update an application",
    description=(
        "Change some fields of an application; fields left out stay as they are. Any "
        "`stage` may be set at any time, backwards too: recording an interview or an outcome "
        "moves it forward on its own, nothing else moves it. "
        "Send `If-Match` with the ETag you read to avoid overwriting someone else's change."
    ),
    responses=responses.UPDATED_RESPONSES,
)
async def update_application(
    record_id: uuid.UUID,
    body: ApplicationUpdate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
) -> Response:
    """Change some fields; a stage change adds a line to the timeline."""
    check = responses.if_match(request)
    row = await service.update_application(database, caller, record_id, body, check)
    return responses.updated(APPLICATIONS.body(row))


@router.delete(
    "/{record_id}",
    status_code=204,
    operation_id="deleteApplication",
    summary="Delete an application",
    description=(
        "Soft-delete an application (and what depends on it); delta sync reports "
        "tombstones. Honours `If-Match`."
    ),
    responses=responses.DELETED_RESPONSES,
)
async def delete_application(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> None:
    """Tombstone the application and what was recorded about it."""
    await service.delete_application(database, caller, record_id, responses.if_match(request))


@router.get(
    "/{record_id}/timeline",
    operation_id="getApplicationTimeline",
    responses=problem_responses(404, 422),
)
async def get_timeline(record_id: uuid.UUID, caller: CallerDep, database: DatabaseDep) -> Timeline:
    """Every stage change of an application, oldest first: from, to, when and why."""
    rows = await service.timeline(database, caller, record_id)
    return Timeline(items=[StageChangePublic.model_validate(dict(row)) for row in rows])
