"""What every record endpoint answers, as plain helpers its handler calls: the documented
responses, a created record with Location and ETag, a record with its ETag (or 304), and the
If-Match check of a change."""

from typing import Any

from fastapi import Request, Response

from app.core.database import Row
from app.core.errors import problem_responses
from app.shared.etag import check_if_match, etag_for, not_modified
from app.shared.pagination import json_response
from app.shared.repository import Check

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
        # 422, not 404, for an id in the body that names no record of the caller's
        **problem_responses(409, 422),
    }


def created(request: Request, item: dict[str, Any], is_new: bool) -> Response:
    """201 with the new record, its Location and ETag; 200 for the one a client id and body
    created before."""
    headers = {
        "Location": f"{request.url.path}/{item['id']}",
        "ETag": etag_for(item["id"], item["version"]),
    }
    return json_response(item, headers=headers, status_code=201 if is_new else 200)


def record(request: Request, item: dict[str, Any]) -> Response:
    """The record with its ETag, or 304 when If-None-Match names it."""
    etag = etag_for(item["id"], item["version"])
    if not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return json_response(item, headers={"ETag": etag})


def updated(item: dict[str, Any]) -> Response:
    """The changed record with its new ETag."""
    return json_response(item, headers={"ETag": etag_for(item["id"], item["version"])})


def if_match(request: Request) -> Check:
    """The precondition of a change: 412 when If-Match names another version."""

    def check(current: Row) -> None:
        check_if_match(request, etag_for(current["id"], current["version"]))

    return check
