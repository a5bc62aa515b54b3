"""Reflections may point at an application, an outcome of it, or neither."""

import uuid
from typing import Any

from app.applications.models import APPLICATIONS
from app.core.database import Executor, Row
from app.core.identity import Caller
from app.outcomes.service import check_outcome_of
from app.reflections.models import (
    REFLECTIONS,
    ReflectionCreate,
    ReflectionUpdate,
)
from app.shared import repository
from app.shared.quota import RecordQuota
from app.shared.repository import Check


async def check_references(executor: Executor, caller: Caller, values: dict[str, Any]) -> None:
    """The application and outcome a new reflection names are the caller's and live; the
    outcome's application stands for one left out."""
    if values.get("application_id") is not None:
        await repository.require_live(executor, caller, APPLICATIONS, values["application_id"])
    if values.get("outcome_id") is not None:
        outcome = await check_outcome_of(
            executor, caller, values["outcome_id"], values.get("application_id")
        )
        values["application_id"] = outcome["application_id"]


async def create_reflection(
    executor: Executor, caller: Caller, body: ReflectionCreate, quota: RecordQuota
) -> tuple[Row, bool]:
    values = body.model_dump(exclude={"id"})
    await check_references(executor, caller, values)
    return await repository.create(executor, caller, REFLECTIONS, body, values, quota=quota)


async def update_reflection(
    executor: Executor,
    caller: Caller,
    reflection_id: uuid.UUID,
    body: ReflectionUpdate,
    check: Check,
) -> Row:
    return await repository.update_record(
        executor, caller, REFLECTIONS, reflection_id, body.changes(), check
    )


async def delete_reflection(
    executor: Executor, caller: Caller, reflection_id: uuid.UUID, check: Check
) -> None:
    await repository.delete_record(executor, caller, REFLECTIONS, reflection_id, check)
