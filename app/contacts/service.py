"""Contacts: the applications a contact is linked to, and what a delete leaves."""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select, update

from app.applications.models import APPLICATIONS
from app.contacts.models import CONTACTS, Contact, ContactCreate, ContactUpdate
from app.core.database import Executor, Row
from app.core.db import utcnow
from app.core.identity import Caller
from app.feedback.models import FeedbackConversation
from app.shared import repository
from app.shared.quota import RecordQuota
from app.shared.repository import Check, touched
from app.shared.tags import list_contains, member_value

_table = Contact.__table__.c  # type: ignore[attr-defined]


async def check_applications(
    executor: Executor,
    caller: Caller,
    application_ids: Iterable[str],
    already_linked: Iterable[str] = (),
) -> None:
    """Every linked application is one of the caller's live ones, or 422 naming its place in
    the list. Links already held were checked when made: they are not checked again."""
    known = {str(application_id) for application_id in already_linked}
    for position, application_id in enumerate(application_ids):
        if str(application_id) in known:
            continue
        await repository.require_live(
            executor,
            caller,
            APPLICATIONS,
            uuid.UUID(str(application_id)),
            field=f"application_ids.{position}",
        )


async def check_references(executor: Executor, caller: Caller, values: dict[str, Any]) -> None:
    await check_applications(executor, caller, values["application_ids"])


async def create_contact(
    executor: Executor, caller: Caller, body: ContactCreate, quota: RecordQuota
) -> tuple[Row, bool]:
    values = body.model_dump(exclude={"id"})
    await check_references(executor, caller, values)
    return await repository.create(executor, caller, CONTACTS, body, values, quota=quota)


async def _new_links_checked(
    tx: Executor, caller: Caller, current: Row, changes: dict[str, Any]
) -> None:
    if changes.get("application_ids") is not None:
        await check_applications(
            tx, caller, changes["application_ids"], already_linked=current["application_ids"]
        )


async def update_contact(
    executor: Executor, caller: Caller, contact_id: uuid.UUID, body: ContactUpdate, check: Check
) -> Row:
    return await repository.update_record(
        executor, caller, CONTACTS, contact_id, body.changes(), check, rule=_new_links_checked
    )


async def _conversations_keep_their_notes(
    tx: Executor, caller: Caller, contact: Row, seq: int
) -> None:
    """A deleted contact's live conversations drop the link (a synced change each) and keep
    their contact_name: the conversation happened, whoever the person is now to the user."""
    conversations = FeedbackConversation.__table__  # type: ignore[attr-defined]
    await tx.rows(
        update(conversations)
        .where(
            conversations.c.user_id == caller.id,
            conversations.c.contact_id == contact["id"],
            conversations.c.deleted_at.is_(None),
        )
        .values(contact_id=None, **touched(FeedbackConversation, seq, utcnow()))
    )


async def delete_contact(
    executor: Executor, caller: Caller, contact_id: uuid.UUID, check: Check
) -> None:
    await repository.delete_record(
        executor, caller, CONTACTS, contact_id, check, cascade=_conversations_keep_their_notes
    )


async def forget_application(
    tx: Executor, caller: Caller, application_id: uuid.UUID, seq: int
) -> None:
    """A deleted application leaves the contacts linked to it (each one a synced change)."""
    linked = await tx.rows(
        select(_table.id, _table.application_ids).where(
            _table.user_id == caller.id,
            _table.deleted_at.is_(None),
            list_contains(_table.application_ids, "application_id", tx.dialect),
        ),
        {"application_id": member_value(str(application_id), tx.dialect)},
    )
    now = utcnow()
    for contact in linked:
        kept = [i for i in contact["application_ids"] if i != str(application_id)]
        await tx.rows(
            update(Contact.__table__)  # type: ignore[attr-defined]
            .where(_table.user_id == caller.id, _table.id == bindparam("contact_id"))
            .values(application_ids=kept, **touched(Contact, seq, now)),
            {"contact_id": contact["id"]},
        )
