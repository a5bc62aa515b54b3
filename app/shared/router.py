"""The HTTP surface of a Resource: create, list, read, update, delete, with the conventions
of the contract (ETag / If-Match / If-None-Match, Location, client ids, problem documents)."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.core.db import SessionDep, write_session
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.shared.direct_route import direct_get, direct_post
from app.shared.etag import check_if_match, etag_for, not_modified
from app.shared.pagination import json_response, page_model
from app.shared.records import OwnedRecord
from app.shared.resource import Resource

_ETAG_HEADER = {
    "ETag": {
        "description": "Strong validator for If-Match / If-None-Match.",
        "schema": {"type": "string"},
    }
}


def resource_router(
    resource: Resource[Any], *, prefix: str, tag: str, singular: str, plural: str, noun: str
) -> APIRouter:
    """Five operations named `create{Singular}`, `list{Plural}`, `get…`, `update…`, `delete…`."""
    router = APIRouter(prefix=prefix, tags=[tag])
    Public, Create, Update, Params = (  # noqa: N806
        resource.public,
        resource.create,
        resource.update,
        resource.params,
    )
    Page = page_model(f"{singular}Page", Public)  # noqa: N806
    article = "an" if noun[0] in "aeiou" else "a"

    def created_response(
        request: Request, record_id: uuid.UUID, version: int, item: Any, status: int
    ) -> Response:
        headers = {
            "Location": f"{request.url.path}/{record_id}",
            "ETag": etag_for(record_id, version),
        }
        return json_response(item, headers=headers, status_code=status)

    def with_etag(response: Response, record: OwnedRecord) -> None:
        response.headers["ETag"] = etag_for(record.id, record.version)

    # Create is the hottest write: DirectRoute too, and on PostgreSQL one statement when the
    # resource allows (Resource.create_in_one_statement).
    @direct_post(
        router,
        "",
        status_code=201,
        response_model=Public,
        operation_id=f"create{singular}",
        summary=f"Create {article} {noun}",
        description=(
            f"Create {article} {noun}. Offline clients may send their own `id`: re-sending the "
            "same id and body answers 200 with the existing record, another body 409."
        ),
        responses={
            200: {"description": "Already created with this id and body", "model": Public},
            201: {"description": "Created", "headers": _ETAG_HEADER},
            **problem_responses(404, 409, 422),
        },
    )
    async def create(
        body: Create,  # type: ignore[valid-type]
        request: Request,
        caller: CallerDep,
    ) -> Response:
        made = await resource.create_in_one_statement(request.app.state.reader, caller, body)
        if made is not None:
            record_id, item, version = made
            return created_response(request, record_id, version, item, 201)
        # The general path (and the one that says why nothing was written above).
        async with write_session(request) as session:
            record, created = await resource.create_record(session, caller, body)
            item = Public.model_validate(record).model_dump(mode="json")
        return created_response(request, record.id, record.version, item, 201 if created else 200)

    # List and get are the hottest reads: DirectRoute (app/shared/direct_route.py) reads their
    # parameters without FastAPI's per-request dependency solving.
    @direct_get(
        router,
        "",
        response_model=Page,
        operation_id=f"list{plural}",
        summary=f"List {noun}s",
        description=(
            f"The caller's {noun}s, keyset-paginated. With `updated_since` (a `sync_token`), "
            "only what changed since, deleted records included as tombstones, in change order."
        ),
        responses=problem_responses(422),
    )
    async def list_(
        params: Annotated[Params, Query()],  # type: ignore[valid-type]
        request: Request,
        caller: CallerDep,
    ) -> Any:
        return json_response(await resource.list_page(request.app.state.reader, caller, params))

    @direct_get(
        router,
        "/{record_id}",
        response_model=Public,
        operation_id=f"get{singular}",
        summary=f"Get {article} {noun}",
        description=f"One {noun}; send `If-None-Match` with its ETag to get 304 when unchanged.",
        responses={
            200: {"description": "The record", "headers": _ETAG_HEADER},
            304: {"description": "Not modified"},
            **problem_responses(404, 422),
        },
    )
    async def get(record_id: uuid.UUID, request: Request, caller: CallerDep) -> Any:
        record, version = await resource.read_one(request.app.state.reader, caller, record_id)
        etag = etag_for(record_id, version)
        if not_modified(request, etag):
            return Response(status_code=304, headers={"ETag": etag})
        return json_response(record, headers={"ETag": etag})

    @router.patch(
        "/{record_id}",
        response_model=Public,
        operation_id=f"update{singular}",
        summary=f"Update {article} {noun}",
        description=(
            f"Change some fields of {article} {noun}; fields left out stay as they are. "
            "Send `If-Match` with the ETag you read to avoid overwriting someone else's change."
        ),
        responses={
            200: {"description": "The updated record", "headers": _ETAG_HEADER},
            **problem_responses(404, 409, 412, 422),
        },
    )
    async def update(
        record_id: uuid.UUID,
        body: Update,  # type: ignore[valid-type]
        request: Request,
        response: Response,
        caller: CallerDep,
        session: SessionDep,
    ) -> Any:
        record = await resource.update_record(
            session,
            caller,
            record_id,
            body,
            lambda current: check_if_match(request, etag_for(current.id, current.version)),
        )
        with_etag(response, record)
        return record

    @router.delete(
        "/{record_id}",
        status_code=204,
        operation_id=f"delete{singular}",
        summary=f"Delete {article} {noun}",
        description=(
            f"Soft-delete {article} {noun} (and what depends on it); delta sync reports "
            "tombstones. Honours `If-Match`."
        ),
        responses=problem_responses(404, 412, 422),
    )
    async def delete(
        record_id: uuid.UUID, request: Request, caller: CallerDep, session: SessionDep
    ) -> None:
        await resource.delete_record(
            session,
            caller,
            record_id,
            lambda current: check_if_match(request, etag_for(current.id, current.version)),
        )

    return router
