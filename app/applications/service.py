"""Applications: list filters and sorts, the stage timeline, and the delete cascade."""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Date, String, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.models import (
    Application,
    ApplicationCreate,
    ApplicationParams,
    ApplicationPublic,
    ApplicationUpdate,
    StageCause,
    StageChange,
)
from app.auth.deps import Caller
from app.core.db import utcnow
from app.shared.pagination import SortKey, parse_date
from app.shared.resource import Resource, touch
from app.shared.tags import has_tag

# Undated applications sort before every dated one, on every database.
_NO_DATE = cast(literal("0001-01-01"), Date)


async def record_stage_change(
    session: AsyncSession,
    caller: Caller,
    application: Application,
    from_stage: str | None,
    cause: StageCause,
    outcome_id: uuid.UUID | None = None,
) -> None:
    session.add(
        StageChange(
            id=uuid.uuid4(),
            user_id=caller.id,
            application_id=application.id,
            from_stage=from_stage,
            to_stage=application.stage,
            changed_at=utcnow(),
            cause=cause,
            outcome_id=outcome_id,
        )
    )
    await session.flush()


async def move_stage(
    session: AsyncSession,
    caller: Caller,
    application: Application,
    stage: str,
    seq: int,
    outcome_id: uuid.UUID,
) -> None:
    """An outcome moves its application (offer → offer, rejection → rejected, …)."""
    if application.stage == stage:
        return
    previous = application.stage
    application.stage = stage
    touch(application, seq)
    await record_stage_change(session, caller, application, previous, StageCause.outcome, outcome_id)


async def timeline(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID
) -> list[StageChange]:
    await applications.get(session, caller, application_id)
    rows = await session.scalars(
        select(StageChange)
        .where(
            StageChange.user_id == caller.id,  # type: ignore[arg-type]
            StageChange.application_id == application_id,  # type: ignore[arg-type]
        )
        .order_by(StageChange.changed_at, StageChange.id)  # type: ignore[arg-type]
    )
    return list(rows)


class Applications(Resource[Application]):
    table = Application
    public = ApplicationPublic
    create = ApplicationCreate
    update = ApplicationUpdate
    params = ApplicationParams
    noun = "application"

    equal_filters = ("stage", "source")

    def filters(self, params: Any) -> list[ColumnElement[bool]]:
        clauses = super().filters(params)
        if params.tag is not None:
            clauses.append(has_tag(Application.tags, params.tag))
        if params.q is not None:
            pattern = f"%{_escape_like(params.q.lower())}%"
            clauses.append(
                or_(
                    func.lower(Application.company).like(pattern, escape="\\"),
                    func.lower(Application.role_title).like(pattern, escape="\\"),
                )
            )
        return clauses

    def sort_keys(self, sort: str) -> list[SortKey]:
        descending = sort.startswith("-")
        name = sort.lstrip("-")
        if name == "company":
            return [SortKey(func.lower(Application.company).cast(String), descending, str)]
        if name == "applied_on":
            expression = func.coalesce(Application.applied_on, _NO_DATE)
            return [SortKey(expression, descending, parse_date)]
        return super().sort_keys("-updated_at" if descending else "updated_at")

    sorts = {"-updated_at": "updated_at", "updated_at": "updated_at"}

    async def after_create(
        self, session: AsyncSession, caller: Caller, record: Application, seq: int
    ) -> None:
        await record_stage_change(session, caller, record, None, StageCause.user)

    async def after_update(
        self,
        session: AsyncSession,
        caller: Caller,
        record: Application,
        previous: dict[str, Any],
        seq: int,
    ) -> None:
        if "stage" in previous:
            await record_stage_change(session, caller, record, previous["stage"], StageCause.user)

    async def after_delete(
        self, session: AsyncSession, caller: Caller, record: Application, seq: int
    ) -> None:
        from app.applications.dependents import delete_dependents

        await delete_dependents(session, caller, record.id, seq)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


applications = Applications()
