"""Applications: list filters and sorts, the stage timeline, and the delete cascade."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import CTE, ColumnElement, Date, Insert, String, func, insert, literal, select
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
from app.core.db import utcnow
from app.core.errors import FieldError, ProblemError
from app.core.identity import Caller
from app.shared.pagination import SortKey, parse_date
from app.shared.resource import Resource, touch
from app.shared.search import matches_substring, substring_pattern
from app.shared.tags import list_contains, member_value

# Undated applications sort before every dated one (valid dates start in 1970).
_NO_DATE = literal(date(1900, 1, 1), Date)


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
    await record_stage_change(
        session, caller, application, previous, StageCause.outcome, outcome_id
    )


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
    other_filters = ("tag", "q")

    def filter_clause(self, name: str, dialect: str) -> ColumnElement[bool]:
        if name == "tag":
            return list_contains(Application.tags, "f_tag", dialect)
        if name == "q":
            return matches_substring([Application.company, Application.role_title], "f_q")
        return super().filter_clause(name, dialect)

    def filter_value(self, name: str, value: Any, dialect: str) -> Any:
        if name == "tag":
            return member_value(value, dialect)
        if name == "q":
            return substring_pattern(value)
        return value

    def sort_keys(self, sort: str) -> list[SortKey]:
        descending = sort.startswith("-")
        name = sort.lstrip("-")
        if name == "company":
            return [SortKey(func.lower(Application.company).cast(String), descending, str)]
        if name == "applied_on":
            expression = func.coalesce(Application.applied_on, _NO_DATE)
            return [SortKey(expression, descending, parse_date)]
        return super().sort_keys(sort)

    async def before_update(
        self, session: AsyncSession, caller: Caller, record: Application, changes: dict[str, Any]
    ) -> None:
        low = changes.get("salary_min", record.salary_min)
        high = changes.get("salary_max", record.salary_max)
        if low is not None and high is not None and low > high:
            field = "salary_min" if "salary_min" in changes else "salary_max"
            raise ProblemError(
                422,
                "The request is not valid: see `errors`.",
                slug="validation-error",
                errors=[
                    FieldError(
                        field=f"body.{field}",
                        message="salary_min cannot be above salary_max.",
                        code="salary_range",
                    )
                ],
            )

    async def after_create(
        self, session: AsyncSession, caller: Caller, record: Application, seq: int
    ) -> None:
        await record_stage_change(session, caller, record, None, StageCause.user)

    single_statement_create = True

    def companion_inserts(self, created: CTE) -> list[Insert]:
        """The first line of the timeline, as `after_create` writes it."""
        return [
            insert(StageChange).from_select(
                ["id", "user_id", "application_id", "to_stage", "changed_at", "cause"],
                select(
                    func.gen_random_uuid(),
                    created.c.user_id,
                    created.c.id,
                    created.c.stage,
                    created.c.updated_at,
                    literal(StageCause.user.value),
                ),
            )
        ]

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


applications = Applications()
