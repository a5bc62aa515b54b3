"""Feedback conversations: references, status transitions and the request draft."""

import uuid
from typing import Any

from sqlalchemy import bindparam, select

from app.applications.models import APPLICATIONS
from app.contacts.models import CONTACTS
from app.core.database import Executor, Row, first
from app.core.identity import Caller, User
from app.feedback.drafts import RequestDraft, render_request_draft
from app.feedback.models import (
    FEEDBACK_CONVERSATIONS,
    DraftFormat,
    FeedbackConversationCreate,
    FeedbackConversationUpdate,
)
from app.feedback.transitions import check_transition
from app.outcomes.models import OUTCOMES
from app.outcomes.service import check_outcome_of
from app.shared import repository
from app.shared.quota import RecordQuota
from app.shared.repository import Check


async def _details_of_contact(
    executor: Executor, caller: Caller, contact_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """The linked contact's details stand in for the conversation's left out or null."""
    contact = await repository.require_live(
        executor, caller, CONTACTS, contact_id, field="contact_id"
    )
    details = {
        "contact_name": contact["name"],
        "contact_role": contact["role"],
        "contact_email": contact["email"],
    }
    for name, value in details.items():
        if values.get(name) is None and value is not None:
            values[name] = value


async def check_references(executor: Executor, caller: Caller, values: dict[str, Any]) -> None:
    """The application, outcome and contact a new conversation names are the caller's and
    live, the outcome of that application; the contact's details fill those left out."""
    await repository.require_live(
        executor, caller, APPLICATIONS, values["application_id"], field="application_id"
    )
    if values.get("outcome_id") is not None:
        await check_outcome_of(executor, caller, values["outcome_id"], values["application_id"])
    if values.get("contact_id") is not None:
        await _details_of_contact(executor, caller, values["contact_id"], values)


async def create_feedback_conversation(
    executor: Executor, caller: Caller, body: FeedbackConversationCreate, quota: RecordQuota
) -> tuple[Row, bool]:
    values = body.model_dump(exclude={"id"})
    await check_references(executor, caller, values)
    return await repository.create(
        executor, caller, FEEDBACK_CONVERSATIONS, body, values, quota=quota
    )


async def _forward_with_its_references(
    tx: Executor, caller: Caller, current: Row, changes: dict[str, Any]
) -> None:
    if "status" in changes:
        check_transition(current["status"], changes["status"])
    if changes.get("outcome_id") is not None:
        await check_outcome_of(tx, caller, changes["outcome_id"], current["application_id"])
    contact_id = changes.get("contact_id")
    if contact_id is not None:
        if contact_id != current["contact_id"]:  # a new link: its details replace the old
            await _details_of_contact(tx, caller, contact_id, changes)
        else:
            await repository.require_live(tx, caller, CONTACTS, contact_id, field="contact_id")


async def update_feedback_conversation(
    executor: Executor,
    caller: Caller,
    conversation_id: uuid.UUID,
    body: FeedbackConversationUpdate,
    check: Check,
) -> Row:
    return await repository.update_record(
        executor,
        caller,
        FEEDBACK_CONVERSATIONS,
        conversation_id,
        body.changes(),
        check,
        rule=_forward_with_its_references,
    )


async def delete_feedback_conversation(
    executor: Executor, caller: Caller, conversation_id: uuid.UUID, check: Check
) -> None:
    await repository.delete_record(executor, caller, FEEDBACK_CONVERSATIONS, conversation_id, check)


_USER_NAME = select(User.__table__.c.display_name).where(  # type: ignore[attr-defined]
    User.__table__.c.id == bindparam("user_id")  # type: ignore[attr-defined]
)


async def request_draft(
    executor: Executor, caller: Caller, conversation_id: uuid.UUID, kind: DraftFormat
) -> RequestDraft:
    conversation = await repository.get(executor, caller, FEEDBACK_CONVERSATIONS, conversation_id)
    values = {"user_id": caller.id}
    application = await first(
        executor,
        select(APPLICATIONS.columns.c.company, APPLICATIONS.columns.c.role_title).where(
            APPLICATIONS.columns.c.id == conversation["application_id"],
            APPLICATIONS.columns.c.user_id == caller.id,
        ),
    )
    user = await first(executor, _USER_NAME, values)
    assert application is not None and user is not None
    contact_name = conversation["contact_name"]
    if conversation["contact_id"] is not None:  # linked: the name as the user keeps it now
        contact = await first(
            executor,
            repository.get_statement(CONTACTS),
            {"id": conversation["contact_id"], "user_id": caller.id},
        )
        if contact is not None:
            contact_name = contact["name"]
    outcome = None
    if conversation["outcome_id"] is not None:
        outcome = await first(
            executor,
            repository.get_statement(OUTCOMES),
            {"id": conversation["outcome_id"], "user_id": caller.id},
        )
    return render_request_draft(
        kind,
        user_name=user["display_name"],
        contact_name=contact_name,
        company=application["company"],
        role_title=application["role_title"],
        channel=conversation["channel"],
        outcome_kind=outcome["kind"] if outcome is not None else None,
    )
