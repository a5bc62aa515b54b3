"""Applications: their list filters and sorts, the stage timeline, and the delete cascade."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import FromClause, Insert, bindparam, insert, literal, select
from sqlalchemy import update as update_rows

from app.applications.models import (
    APPLICATIONS,
    Application,
    ApplicationCreate,
    ApplicationUpdate,
    Stage,
    StageCause,
    StageChange,
)
from app.contacts.service import forget_application
from app.core.database import Executor, Row
from app.core.db import utcnow
from app.core.errors import FieldError, ProblemError
from app.core.identity import Caller
from app.feedback.models import FeedbackConversation
from app.interviews.models import Interview
from app.outcomes.models import Outcome
from app.reflections.models import Reflection
from app.shared import repository
from app.shared.quota import RecordQuota
from app.shared.repository import Check, touched

_table = Application.__table__.c  # type: ignore[attr-defined]
_timeline = StageChange.__table__  # type: ignore[attr-defined]
# What is recorded about an application, tombstoned with it.
DEPENDENTS = (Interview, Outcome, FeedbackConversation, Reflection)


def _first_timeline_entry(created: FromClause) -> Insert:
    """A new application's timeline starts with its stage."""
    return insert(_timeline).from_select(
        ["id", "user_id", "application_id", "to_stage", "changed_at", "cause"],
        select(
            bindparam("timeline_id", type_=_timeline.c.id.type),
            created.c.user_id,
            created.c.id,
            created.c.stage,
            created.c.updated_at,
            literal(StageCause.user.value),
        ),
    )


async def create_application(
    executor: Executor, caller: Caller, body: ApplicationCreate, quota: RecordQuota
) -> tuple[Row, bool]:
    return await repository.create(
        executor,
        caller,
        APPLICATIONS,
        body,
        quota=quota,
        companions=[_first_timeline_entry],
        extra={"timeline_id": uuid.uuid4()},
    )


async def _salary_in_order(
    _tx: Executor, _caller: Caller, current: Row, sent: dict[str, Any]
) -> None:
    """salary_min ≤ salary_max, the stored one standing for the one not sent."""
    low = sent.get("salary_min", current["salary_min"])
    high = sent.get("salary_max", current["salary_max"])
    if low is not None and high is not None and low > high:
        field = "salary_min" if "salary_min" in sent else "salary_max"
        raise ProblemError(
            422,
            "`salary_min` is above `salary_max` (the stored value stands for one not sent): "
            "send a minimum no higher than the maximum.",
            slug="validation-error",
            errors=[
                FieldError(
                    field=f"body.{field}",
                    message="salary_min cannot be above salary_max.",
                    code="salary_range",
                )
            ],
        )


async def _timeline_of_edit(
    tx: Executor, caller: Caller, previous: Row, row: Row, changes: dict[str, Any], _seq: int
) -> None:
    if "stage" in changes:
        await record_stage_change(
            tx,
            caller,
            row["id"],
            previous["stage"],
            row["stage"],
            StageCause.user,
            row["updated_at"],
        )


async def update_application(
    executor: Executor,
    caller: Caller,
    application_id: uuid.UUID,
    body: ApplicationUpdate,
    check: Check,
) -> Row:
    return await repository.update_record(
        executor,
        caller,
        APPLICATIONS,
        application_id,
        body.changes(),
        check,
        rule=_salary_in_order,
        effect=_timeline_of_edit,
    )


async def _forget(tx: Executor, caller: Caller, application: Row, seq: int) -> None:
    """Tombstone what was recorded about the application; its contacts forget it."""
    for table in DEPENDENTS:
        column = table.__table__.c.application_id  # type: ignore[union-attr]
        await repository.soft_delete_where(tx, table, caller, seq, column == application["id"])
    await forget_application(tx, caller, application["id"], seq)


async def delete_application(
    executor: Executor, caller: Caller, application_id: uuid.UUID, check: Check
) -> None:
    await repository.delete_record(
        executor, caller, APPLICATIONS, application_id, check, cascade=_forget
    )


# --- the stage timeline ---------------------------------------------------------------------
_STAGE_CHANGE = insert(_timeline).values(
    {
        name: bindparam(f"v_{name}", type_=_timeline.c[name].type)
        for name in (
            "id",
            "user_id",
            "application_id",
            "from_stage",
            "to_stage",
            "changed_at",
            "cause",
            "outcome_id",
        )
    }
)


async def record_stage_change(
    executor: Executor,
    caller: Caller,
    application_id: uuid.UUID,
    from_stage: str | None,
    to_stage: str,
    cause: StageCause,
    changed_at: datetime,
    outcome_id: uuid.UUID | None = None,
) -> None:
    """One line of the timeline: the application moved from one stage to another, and why."""
    await executor.rows(
        _STAGE_CHANGE,
        {
            "v_id": uuid.uuid4(),
            "v_user_id": caller.id,
            "v_application_id": application_id,
            "v_from_stage": from_stage,
            "v_to_stage": to_stage,
            "v_changed_at": changed_at,
            "v_cause": cause.value,
            "v_outcome_id": outcome_id,
        },
    )


def stages_before(stage: Stage) -> tuple[Stage, ...]:
    """The stages an application moves *forward* from to reach `stage`: those listed before it
    in `Stage`. Later ones (offer, rejected, withdrawn, on hold, ghosted) are never left on
    their own for it."""
    order = list(Stage)
    return tuple(order[: order.index(stage)])


async def set_stage(
    tx: Executor,
    caller: Caller,
    application: Row,
    stage: str,
    seq: int,
    cause: StageCause,
    outcome_id: uuid.UUID | None = None,
) -> None:
    """An interview or an outcome moved the application to `stage`: a change of it (new
    version, ETag and change number, so syncing clients see it), and a line of its timeline."""
    now = utcnow()
    await tx.rows(
        update_rows(Application.__table__)  # type: ignore[attr-defined]
        .where(_table.user_id == caller.id, _table.id == application["id"])
        .values(stage=stage, **touched(Application, seq, now))
    )
    await record_stage_change(
        tx,
        caller,
        application["id"],
        application["stage"],
        stage,
        cause,
        now,
        outcome_id,
    )


async def move_stage(
    tx: Executor,
    caller: Caller,
    application_id: uuid.UUID,
    stage: str,
    seq: int,
    outcome_id: uuid.UUID,
) -> None:
    """An outcome moves its application (offer → offer, rejection → rejected, …)."""
    # Checked before the create; deleted since by a concurrent request: the body's reference.
    application = await repository.require_live(
        tx, caller, APPLICATIONS, application_id, field="application_id"
    )
    if application["stage"] != stage:
        await set_stage(tx, caller, application, stage, seq, StageCause.outcome, outcome_id)


async def move_forward(
    tx: Executor,
    caller: Caller,
    application_id: uuid.UUID,
    stage: Stage,
    seq: int,
    cause: StageCause,
) -> None:
    """A record moves its application forward to `stage` (an interview: to `interviewing`),
    only from a stage before it: a later stage the user or an outcome set is theirs to keep."""
    # Checked before the create; deleted since by a concurrent request: the body's reference.
    application = await repository.require_live(
        tx, caller, APPLICATIONS, application_id, field="application_id"
    )
    if application["stage"] in stages_before(stage):
        await set_stage(tx, caller, application, stage, seq, cause)


async def stage_history(tx: Executor, caller: Caller, application_id: uuid.UUID) -> list[Row]:
    """The application's timeline, latest first."""
    c = _timeline.c
    return list(
        await tx.rows(
            select(c.to_stage, c.cause, c.outcome_id)
            .where(
                c.user_id == bindparam("user_id"), c.application_id == bindparam("application_id")
            )
            .order_by(c.changed_at.desc(), c.id.desc()),
            {"user_id": caller.id, "application_id": application_id},
        )
    )


async def timeline(executor: Executor, caller: Caller, application_id: uuid.UUID) -> list[Row]:
    """Every stage change of the caller's application, oldest first."""
    await repository.get(executor, caller, APPLICATIONS, application_id)
    c = _timeline.c
    return list(
        await executor.rows(
            select(
                c.id,
                c.application_id,
                c.from_stage,
                c.to_stage,
                c.changed_at,
                c.cause,
                c.outcome_id,
            )
            .where(
                c.user_id == bindparam("user_id"), c.application_id == bindparam("application_id")
            )
            .order_by(c.changed_at, c.id),
            {"user_id": caller.id, "application_id": application_id},
        )
    )
