"""What every record endpoint answers, as plain helpers its handler calls: the documented
responses, the created record with Location and ETag, a record with its ETag (or 304), and
the five record operations over a Resource."""

import uuid
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import Database
from app.core.db import write_session
from app.core.errors import problem_responses
from app.core.identity import Caller
from app.shared.etag import check_if_match, etag_for, not_modified
from app.shared.pagination import ListParams, json_response
from app.shared.records import PartialUpdate, StrictInput
from app.shared.resource import Resource

ETAG_HEADER = {
    "ETag": {
        "description": "Strong validator for If-Match / If-None-Match.",
        "schema": {"type": "string"},
    }
}
LIST_RESPONSES = problem_responses(422)
RECORD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The record", "headers": ETAG_HEADER},
    304: {"description": "Not modified"},
    **problem_responses(404, 422),
}
UPDATED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The updated record", "headers": ETAG_HEADER},
    **problem_responses(404, 409, 412, 422),
}
DELETED_RESPONSES = problem_responses(404, 412, 422)


def created_responses(public: type[Any]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": "Already created with this id and body", "model": public},
        201: {"description": "Created", "headers": ETAG_HEADER},
        **problem_responses(404, 409, 422),
    }


def _created(
    request: Request, record_id: uuid.UUID, version: int, item: Any, status: int
) -> Response:
    headers = {"Location": f"{request.url.path}/{record_id}", "ETag": etag_for(record_id, version)}
    return json_response(item, headers=headers, status_code=status)


async def create_record(
    resource: Resource[Any], request: Request, caller: Caller, database: Database, body: StrictInput
) -> Response:
    """201 with the new record, or 200 with the one this client id and body created before."""
    made = await resource.create_in_one_statement(database, caller, body)
    if made is not None:
        record_id, item, version = made
        return _created(request, record_id, version, item, 201)
    # The general path (and the one that says why nothing was written above).
    async with write_session(request) as session:
        record, created = await resource.create_record(session, caller, body)
        item = resource.public.model_validate(record).model_dump(mode="json")
    return _created(request, record.id, record.version, item, 201 if created else 200)


async def list_records(
    resource: Resource[Any], caller: Caller, database: Database, params: ListParams
) -> Response:
    return json_response(await resource.list_page(database, caller, params))


async def read_record(
    resource: Resource[Any],
    request: Request,
    caller: Caller,
    database: Database,
    record_id: uuid.UUID,
) -> Response:
    """The record with its ETag, or 304 when If-None-Match names it."""
    item, version = await resource.read_one(database, caller, record_id)
    etag = etag_for(record_id, version)
    if not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return json_response(item, headers={"ETag": etag})


async def update_record(
    resource: Resource[Any],
    request: Request,
    caller: Caller,
    session: AsyncSession,
    record_id: uuid.UUID,
    body: PartialUpdate,
) -> Response:
    """The changed record with its new ETag; 412 when If-Match names another version."""
    record = await resource.update_record(
        session,
        caller,
        record_id,
        body,
        lambda current: check_if_match(request, etag_for(current.id, current.version)),
    )
    item = resource.public.model_validate(record).model_dump(mode="json")
    return json_response(item, headers={"ETag": etag_for(record.id, record.version)})


async def delete_record(
    resource: Resource[Any],
    request: Request,
    caller: Caller,
    session: AsyncSession,
    record_id: uuid.UUID,
) -> None:
    await resource.delete_record(
        session,
        caller,
        record_id,
        lambda current: check_if_match(request, etag_for(current.id, current.version)),
    )
