"""Interviews: each belongs to one of the caller's live applications."""

import uuid
from typing import Any

from app.applications.models import APPLICATIONS
from app.core.database import Executor, Row
from app.core.identity import Caller
from app.interviews.models import INTERVIEWS, InterviewCreate, InterviewUpdate
from app.shared import repository
from app.shared.quota import RecordQuota
from app.shared.repository import Check


async def check_references(executor: Executor, caller: Caller, values: dict[str, Any]) -> None:
    """A new interview is of one of the caller's live applications (404 otherwise)."""
    await repository.require_live(executor, caller, APPLICATIONS, values["application_id"])


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
    )


async def update_interview(
    executor: Executor, caller: Caller, interview_id: uuid.UUID, body: InterviewUpdate, check: Check
) -> Row:
    return await repository.update_record(
        executor, caller, INTERVIEWS, interview_id, body.changes(), check
    )


async def delete_interview(
    executor: Executor, caller: Caller, interview_id: uuid.UUID, check: Check
) -> None:
    await repository.delete_record(executor, caller, INTERVIEWS, interview_id, check)
