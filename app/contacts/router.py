"""HTTP for contacts: create, list, get, update and delete."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.contacts import service
from app.contacts.models import (
    CONTACTS,
    ContactCreate,
    ContactPage,
    ContactParams,
    ContactPublic,
    ContactUpdate,
)
from app.core.database import DatabaseDep
from app.core.identity import CallerDep
from app.shared import repository, responses
from app.shared.pagination import json_response
from app.shared.quota import RecordQuotaDep

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])


@router.post(
    "",
    status_code=201,
    response_model=ContactPublic,
    operation_id="createContact",
    summary="Create a contact",
    description=(
        "Create a contact. An entry of `application_ids` that names none of the caller's "
        "live applications answers 422 naming it (`body.application_ids.<index>`). "
        "Offline clients may send their own `id`: re-sending the same "
        "id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(ContactPublic),
)
async def create_contact(
    body: ContactCreate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    quota: RecordQuotaDep,
) -> Response:
    """Keep a recruiter, interviewer or referrer the caller talks to."""
    row, is_new = await service.create_contact(database, caller, body, quota)
    return responses.created(request, CONTACTS.body(row), is_new)


@router.get(
    "",
    response_model=ContactPage,
    operation_id="listContacts",
    summary="List contacts",
    description=(
        "The caller's contacts, keyset-paginated. With `updated_since` (a `sync_token`), "
        "only what changed since, deleted records included as tombstones, in change order."
    ),
    responses=responses.LIST_RESPONSES,
)
async def list_contacts(
    params: Annotated[ContactParams, Query()], caller: CallerDep, database: DatabaseDep
) -> Response:
    """A page of the caller's contacts, or what changed since a sync token."""
    return json_response(await repository.list_page(database, caller, CONTACTS, params))


@router.get(
    "/{record_id}",
    response_model=ContactPublic,
    operation_id="getContact",
    summary="Get a contact",
    description="One contact; send `If-None-Match` with its ETag to get 304 when unchanged.",
    responses=responses.RECORD_RESPONSES,
)
async def get_contact(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """One contact with its ETag."""
    row = await repository.get(database, caller, CONTACTS, record_id)
    return responses.record(request, CONTACTS.body(row))


@router.patch(
    "/{record_id}",
    response_model=ContactPublic,
    operation_id="updateContact",
    summary="Update a contact",
    description=(
        "Change some fields of a contact; fields left out stay as they are. "
        "Send `If-Match` with the ETag you read to avoid overwriting someone else's change."
    ),
    responses=responses.UPDATED_RESPONSES,
)
async def update_contact(
    record_id: uuid.UUID,
    body: ContactUpdate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
) -> Response:
    """Change some fields of a contact."""
    check = responses.if_match(request)
    row = await service.update_contact(database, caller, record_id, body, check)
    return responses.updated(CONTACTS.body(row))


@router.delete(
    "/{record_id}",
    status_code=204,
    operation_id="deleteContact",
    summary="Delete a contact",
    description=(
        "Soft-delete a contact (and what depends on it); delta sync reports "
        "tombstones. Honours `If-Match`."
    ),
    responses=responses.DELETED_RESPONSES,
)
async def delete_contact(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> None:
    """Tombstone the contact."""
    await service.delete_contact(database, caller, record_id, responses.if_match(request))
