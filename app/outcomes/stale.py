"""Closing the silent ones: ghosted outcomes for the applications the agenda calls possibly
ghosted, recorded only when the user asks (POST /v1/applications/close-stale)."""

import uuid
from datetime import date, datetime

from pydantic import Field
from sqlmodel import SQLModel

from app.agenda.service import quiet_applications
from app.applications.models import Stage
from app.core.database import Executor
from app.core.db import utcnow
from app.core.identity import Caller
from app.outcomes.models import OutcomeCreate, OutcomeKind
from app.outcomes.service import create_outcome
from app.shared.quota import RecordQuota
from app.shared.records import StrictInput, with_example

# At most this many applications are closed by one request; the answer says when more wait.
MAX_CLOSED = 500


class CloseStale(StrictInput):
    model_config = with_example({"quiet_days": 30, "dry_run": True})

    quiet_days: int = Field(
        ge=14,
        le=365,
        description="Close open applications (applied, screening, interviewing) without any "
        "news (no change of theirs, no interview, outcome or feedback conversation) for this "
        "many days or more: the agenda's `possibly_ghosted` rule.",
    )
    dry_run: bool = Field(
        default=False, description="Only say which would be closed; record nothing."
    )


class ClosedApplication(SQLModel):
    application_id: uuid.UUID
    company: str
    role_title: str
    stage_before: Stage
    last_activity: datetime = Field(description="The last news of it.")
    outcome_id: uuid.UUID | None = Field(description="The ghosted outcome; null in a dry run.")


class ClosedStale(SQLModel):
    dry_run: bool
    received_on: date = Field(description="The outcomes' date: the caller's today.")
    closed: list[ClosedApplication] = Field(description="Oldest news first.")
    remaining: int = Field(
        description="Quiet applications beyond this request's 500: send it again for them."
    )


async def close_stale(
    executor: Executor, caller: Caller, body: CloseStale, quota: RecordQuota
) -> ClosedStale:
    """Record a ghosted outcome for each quiet application (which moves it to `ghosted` and
    puts it on its timeline), all in one transaction; or, dry, only list them."""
    async with executor.transaction() as tx:
        rows, today = await quiet_applications(tx, caller, body.quiet_days, utcnow(), MAX_CLOSED)
        closed = []
        for row in rows:
            outcome_id = None
            if not body.dry_run:
                outcome = OutcomeCreate(
                    application_id=row["id"], kind=OutcomeKind.ghosted, received_on=today
                )
                created, _ = await create_outcome(tx, caller, outcome, quota)
                outcome_id = created["id"]
            closed.append(
                ClosedApplication(
                    application_id=row["id"],
                    company=row["company"],
                    role_title=row["role_title"],
                    stage_before=row["stage"],
                    last_activity=row["last_activity"],
                    outcome_id=outcome_id,
                )
            )
    total = rows[0]["total"] if rows else 0
    return ClosedStale(
        dry_run=body.dry_run, received_on=today, closed=closed, remaining=total - len(closed)
    )
