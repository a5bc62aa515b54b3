"""HTTP for the change feed: every collection's changes in one walk."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.changes import service
from app.changes.models import ChangePage
from app.core.database import DatabaseDep
from app.core.identity import CallerDep
from app.shared import responses
from app.shared.pagination import ListParams, json_response

router = APIRouter(prefix="/v1/changes", tags=["sync"])


@router.get(
    "",
    response_model=ChangePage,
    operation_id="listChanges",
    summary="List changes",
    description=(
        "Every collection's changes for the caller in one feed, in change order, each item "
        "naming its `collection` (a list's path segment) and holding the `record` as that list "
        "shows it. With `updated_since` (a `sync_token` of this feed or of any list, or an "
        "RFC 3339 timestamp), only what changed since, deleted records included as tombstones; "
        "without it, every live record (a first sync). Paged like any list; a client that syncs "
        "with the last `sync_token` it was given never misses a change."
    ),
    responses=responses.LIST_RESPONSES,
)
async def list_changes(
    params: Annotated[ListParams, Query()], caller: CallerDep, database: DatabaseDep
) -> Response:
    """A page of every collection's changes since a sync token, in change order."""
    return json_response(await service.list_changes(database, caller, params))
