"""Contacts: list filters, the applications a contact is linked to, and what a delete leaves."""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.models import Application
from app.contacts.models import (
    Contact,
    ContactCreate,
    ContactParams,
    ContactPublic,
    ContactUpdate,
)
from app.core.identity import Caller
from app.feedback.service import unlink_contact
from app.shared.resource import Resource, require_owned, touch
from app.shared.search import matches_substring, substring_pattern
from app.shared.tags import list_contains, member_value


async def check_applications(
    session: AsyncSession, caller: Caller, application_ids: Iterable[str]
) -> None:
    """Every linked application is one of the caller's live ones, or 404."""
    for application_id in application_ids:
        await require_owned(session, caller, Application, uuid.UUID(application_id), "application")


class Contacts(Resource[Contact]):
    table = Contact
    public = ContactPublic
    create = ContactCreate
    update = ContactUpdate
    params = ContactParams
    noun = "contact"

    equal_filters = ("relationship",)
    other_filters = ("application_id", "tag", "q")

    def filter_clause(self, name: str, dialect: str) -> ColumnElement[bool]:
        if name == "application_id":
            return list_contains(Contact.application_ids, "f_application_id", dialect)
        if name == "tag":
            return list_contains(Contact.tags, "f_tag", dialect)
        if name == "q":
            return matches_substring([Contact.name, Contact.company], "f_q")
        return super().filter_clause(name, dialect)

    def filter_value(self, name: str, value: Any, dialect: str) -> Any:
        if name == "application_id":  # stored as the API writes a UUID: lower case, dashed
            return member_value(str(value), dialect)
        if name == "tag":
            return member_value(value, dialect)
        if name == "q":
            return substring_pattern(value)
        return value

    async def before_create(
        self, session: AsyncSession, caller: Caller, values: dict[str, Any]
    ) -> None:
        await check_applications(session, caller, values["application_ids"])

    async def before_update(
        self, session: AsyncSession, caller: Caller, record: Contact, changes: dict[str, Any]
    ) -> None:
        if changes.get("application_ids") is not None:
            # Links already held were checked when made; only new ones need checking.
            added = set(changes["application_ids"]) - set(record.application_ids)
            await check_applications(session, caller, sorted(added))

    async def after_delete(
        self, session: AsyncSession, caller: Caller, record: Contact, seq: int
    ) -> None:
        # Conversations with this person stay (they are the user's notes): they lose the
        # link and keep the contact_name they were saved with.
        await unlink_contact(session, caller, record.id, seq)


contacts = Contacts()


async def forget_application(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID, seq: int
) -> None:
    """A deleted application leaves the contacts linked to it (each one a synced change)."""
    dialect = (await session.connection()).dialect.name
    linked = await session.scalars(
        select(Contact).where(
            Contact.user_id == caller.id,  # type: ignore[arg-type]
            Contact.deleted_at.is_(None),  # type: ignore[union-attr]
            list_contains(Contact.application_ids, "application_id", dialect),
        ),
        {"application_id": member_value(str(application_id), dialect)},
    )
    for contact in linked:
        contact.application_ids = [i for i in contact.application_ids if i != str(application_id)]
        touch(contact, seq)
    await session.flush()
