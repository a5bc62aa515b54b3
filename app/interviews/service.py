"""Interviews: each belongs to one of the caller's live applications, and recording one moves
that application forward to `interviewing`."""

import uuid
from typing import Any

from sqlalchemy import bindparam, select

from app.applications.models import APPLICATIONS, Stage, StageCause
from app.applications.service import move_forward, set_stage, stage_history
from app.core.database import Executor, Row, first
from app.core.identity import Caller
from app.interviews.models import INTERVIEWS, Interview, InterviewCreate, InterviewUpdate
from app.shared import repository
from app.shared.quota import RecordQuota
from app.shared.repository import Check


async def check_references(executor: Executor, caller: Caller, values: dict[str, Any]) -> None:
    """A new interview is of one of the caller's live applications (422 otherwise)."""
    await repository.require_live(
        executor, caller, APPLICATIONS, values["application_id"], field="application_id"
    )


async def _move_to_interviewing(tx: Executor, caller: Caller, interview: Row, seq: int) -> None:
    """The company talked to the user: a wishlist, applied or screening application is now
    interviewing (never back from a later stage)."""
    await move_forward(
        tx, caller, interview["application_id"], Stage.interviewing, seq, StageCause.interview
    )


async def create_interview(
    executor: Executor, caller: Caller, body: InterviewCreate, quota: RecordQuota
) -> tuple[Row, bool]:
    values = body.model_dump(exclude={"id"})
    return await repository.create(
        executor,
        caller,
        INTERVIEWS,
        body,
        values,
        quota=quota,
        guards=[repository.live(APPLICATIONS, "v_application_id")],
        explain=lambda: check_references(executor, caller, values),
        effect=_move_to_interviewing,
    )


async def update_interview(
    executor: Executor, caller: Caller, interview_id: uuid.UUID, body: InterviewUpdate, check: Check
) -> Row:
    return await repository.update_record(
        executor, caller, INTERVIEWS, interview_id, body.changes(), check
    )


_c = Interview.__table__.c  # type: ignore[attr-defined]
_ANY_INTERVIEW = (
    select(_c.id)
    .where(
        _c.user_id == bindparam("user_id"),
        _c.application_id == bindparam("application_id"),
        _c.deleted_at.is_(None),
    )
    .limit(1)
)


async def _undo_stage_move(tx: Executor, caller: Caller, interview: Row, seq: int) -> None:
    """The application's last interview gone (recorded by mistake), its move to `interviewing`
    is undone, unless something moved the application since: the user's or an outcome's stage
    is theirs to keep, and so is `interviewing` while another interview stands for it."""
    key = {"id": interview["application_id"], "user_id": caller.id}
    application = await first(tx, repository.get_statement(APPLICATIONS), key)
    if application is None or application["stage"] != Stage.interviewing:
        return
    entries = await stage_history(tx, caller, application["id"])
    if len(entries) < 2 or entries[0]["cause"] != StageCause.interview:
        return
    before = entries[1]["to_stage"]
    if before == application["stage"]:
        return
    remaining = {"user_id": caller.id, "application_id": application["id"]}
    if await first(tx, _ANY_INTERVIEW, remaining) is not None:
        return
    await set_stage(tx, caller, application, before, seq, StageCause.interview)


async def delete_interview(
    executor: Executor, caller: Caller, interview_id: uuid.UUID, check: Check
) -> None:
    await repository.delete_record(
        executor, caller, INTERVIEWS, interview_id, check, cascade=_undo_stage_move
    )
