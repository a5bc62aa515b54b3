"""The caller's sessions: where they are signed in, and signing one out."""

import uuid

from fastapi import APIRouter, Request

from app.core.database import DatabaseDep
from app.core.db import utcnow
from app.core.errors import not_found, problem_responses
from app.core.identity import CallerDep
from app.core.revocations import RevocationsDep
from app.sessions import service
from app.sessions.models import SessionList, SessionPublic

router = APIRouter(prefix="/v1/me/sessions", tags=["me"])


@router.get("", operation_id="listSessions", responses=problem_responses(401))
async def list_sessions(request: Request, caller: CallerDep, database: DatabaseDep) -> SessionList:
    """Every session signed in to the account, the most recently used first; `current` marks
    the one making this request."""
    days = request.app.state.settings.refresh_token_days
    rows = await service.active_sessions(database, caller.id, utcnow(), days)
    return SessionList(
        items=[
            SessionPublic.model_validate({**row, "current": row["id"] == caller.session_id})
            for row in rows
        ]
    )


@router.delete(
    "/{session_id}",
    status_code=204,
    operation_id="deleteSession",
    responses=problem_responses(401, 404, 422),
)
async def delete_session(
    session_id: uuid.UUID, caller: CallerDep, database: DatabaseDep, revocations: RevocationsDep
) -> None:
    """Sign this session out: its refresh and access tokens stop working at once, on every
    instance. Ending the current session signs this device out. An unknown session, or one
    already ended, answers 404."""
    async with database.transaction() as tx:
        ended = await service.end_sessions(tx, caller.id, utcnow(), only=session_id)
    if not ended:
        raise not_found("session")
    await revocations.revoke(ended)
