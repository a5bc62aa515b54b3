"""Feedback conversations: references, status transitions and the request draft."""

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.models import Application
from app.contacts.models import Contact
from app.core.db import utcnow
from app.core.errors import FieldError, ProblemError
from app.core.identity import Caller, User
from app.feedback.drafts import RequestDraft, render_request_draft
from app.feedback.models import (
    DraftFormat,
    FeedbackConversation,
    FeedbackConversationCreate,
    FeedbackConversationParams,
    FeedbackConversationPublic,
    FeedbackConversationUpdate,
)
from app.feedback.transitions import check_transition
from app.outcomes.models import Outcome
from app.shared.resource import Resource, require_owned


async def check_outcome_of(
    session: AsyncSession, caller: Caller, outcome_id: uuid.UUID, application_id: uuid.UUID | None
) -> Outcome:
    """The caller's outcome, which must belong to `application_id` when one is given."""
    outcome = await require_owned(session, caller, Outcome, outcome_id, "outcome")
    assert isinstance(outcome, Outcome)
    if application_id is not None and outcome.application_id != application_id:
        raise ProblemError(
            422,
            "The outcome belongs to another application.",
            slug="validation-error",
            errors=[
                FieldError(
                    field="body.outcome_id",
                    message="This outcome is not about the same application.",
                    code="application_mismatch",
                )
            ],
        )
    return outcome


async def linked_contact(session: AsyncSession, caller: Caller, contact_id: uuid.UUID) -> Contact:
    """The caller's live contact, or 404."""
    contact = await require_owned(session, caller, Contact, contact_id, "contact")
    assert isinstance(contact, Contact)
    return contact


def fill_from_contact(contact: Contact, values: dict[str, Any]) -> None:
    """The contact's details stand in for the conversation's left out or null."""
    details = {
        "contact_name": contact.name,
        "contact_role": contact.role,
        "contact_email": contact.email,
    }
    for name, value in details.items():
        if values.get(name) is None and value is not None:
            values[name] = value


class FeedbackConversations(Resource[FeedbackConversation]):
    table = FeedbackConversation
    public = FeedbackConversationPublic
    create = FeedbackConversationCreate
    update = FeedbackConversationUpdate
    params = FeedbackConversationParams
    noun = "feedback conversation"
    equal_filters = ("application_id", "outcome_id", "contact_id", "status")

    async def before_create(
        self, session: AsyncSession, caller: Caller, values: dict[str, Any]
    ) -> None:
        await require_owned(session, caller, Application, values["application_id"], "application")
        if values.get("outcome_id") is not None:
            await check_outcome_of(session, caller, values["outcome_id"], values["application_id"])
        if values.get("contact_id") is not None:
            contact = await linked_contact(session, caller, values["contact_id"])
            fill_from_contact(contact, values)

    async def before_update(
        self,
        session: AsyncSession,
        caller: Caller,
        record: FeedbackConversation,
        changes: dict[str, Any],
    ) -> None:
        if "status" in changes:
            check_transition(record.status, changes["status"])
        if changes.get("outcome_id") is not None:
            await check_outcome_of(session, caller, changes["outcome_id"], record.application_id)
        contact_id = changes.get("contact_id")
        if contact_id is not None:
            contact = await linked_contact(session, caller, contact_id)
            if contact_id != record.contact_id:  # a new link: its details replace the old
                fill_from_contact(contact, changes)


feedback_conversations = FeedbackConversations()


async def unlink_contact(
    session: AsyncSession, caller: Caller, contact_id: uuid.UUID, seq: int
) -> None:
    """A deleted contact's live conversations drop the link (a synced change each) and keep
    their contact_name: the conversation happened, whoever the person is now to the user."""
    now = utcnow()
    table = FeedbackConversation
    await session.execute(
        update(table)
        .where(
            table.user_id == caller.id,  # type: ignore[arg-type]
            table.contact_id == contact_id,  # type: ignore[arg-type]
            table.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .values(contact_id=None, updated_at=now, version=table.version + 1, change_seq=seq)
        .execution_options(synchronize_session=False)
    )


async def request_draft(
    session: AsyncSession, caller: Caller, conversation_id: uuid.UUID, kind: DraftFormat
) -> RequestDraft:
    conversation = await feedback_conversations.get(session, caller, conversation_id)
    application = await session.get(Application, conversation.application_id)
    user = await session.get(User, caller.id)
    assert application is not None and user is not None
    contact_name = conversation.contact_name
    if conversation.contact_id is not None:  # linked: the name as the user keeps it now
        contact = await session.get(Contact, conversation.contact_id)
        if contact is not None and contact.deleted_at is None:
            contact_name = contact.name
    return render_request_draft(
        kind,
        user_name=user.display_name,
        contact_name=contact_name,
        company=application.company,
        role_title=application.role_title,
    )
