"""Outcomes move their application's stage and leave a line on its timeline."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.models import Application, StageCause, StageChange
from app.applications.service import move_stage, record_stage_change
from app.core.errors import FieldError, ProblemError
from app.core.identity import Caller
from app.outcomes.models import (
    OFFER_FIELDS,
    STAGE_AFTER,
    Outcome,
    OutcomeCreate,
    OutcomeParams,
    OutcomePublic,
    OutcomeUpdate,
)
from app.shared.resource import Resource, require_owned, touch


def _check_offer_fields(kind: str, values: dict[str, Any]) -> None:
    if kind == "offer":
        return
    given = [name for name in OFFER_FIELDS if values.get(name) is not None]
    if given:
        raise ProblemError(
            422,
            "Offer fields are only for outcomes of kind `offer`.",
            slug="validation-error",
            errors=[
                FieldError(field=f"body.{name}", message="Only for offers.", code="offer_only")
                for name in given
            ],
        )


class Outcomes(Resource[Outcome]):
    table = Outcome
    public = OutcomePublic
    create = OutcomeCreate
    update = OutcomeUpdate
    params = OutcomeParams
    noun = "outcome"
    equal_filters = ("application_id", "kind")

    async def before_create(
        self, session: AsyncSession, caller: Caller, values: dict[str, Any]
    ) -> None:
        await require_owned(session, caller, Application, values["application_id"], "application")
        _check_offer_fields(values["kind"], values)

    async def after_create(
        self, session: AsyncSession, caller: Caller, record: Outcome, seq: int
    ) -> None:
        application = await session.get(Application, record.application_id)
        assert application is not None
        await move_stage(session, caller, application, STAGE_AFTER[record.kind], seq, record.id)

    async def before_update(
        self, session: AsyncSession, caller: Caller, record: Outcome, changes: dict[str, Any]
    ) -> None:
        merged = {name: getattr(record, name) for name in OFFER_FIELDS} | changes
        if "kind" in changes and changes["kind"] != "offer":
            # Changing an offer into another kind drops the offer details it no longer has.
            for name in OFFER_FIELDS:
                if name not in changes:
                    merged[name] = None
                    changes[name] = None
        _check_offer_fields(changes.get("kind", record.kind), merged)

    async def after_update(
        self,
        session: AsyncSession,
        caller: Caller,
        record: Outcome,
        previous: dict[str, Any],
        seq: int,
    ) -> None:
        if "kind" in previous:
            application = await session.get(Application, record.application_id)
            assert application is not None
            await move_stage(session, caller, application, STAGE_AFTER[record.kind], seq, record.id)

    async def after_delete(
        self, session: AsyncSession, caller: Caller, record: Outcome, seq: int
    ) -> None:
        """Undo this outcome's stage moves if nothing else moved the application since."""
        application = await session.get(Application, record.application_id)
        if application is None or application.deleted_at is not None:
            return
        history = await session.scalars(
            select(StageChange)
            .where(
                StageChange.user_id == caller.id,  # type: ignore[arg-type]
                StageChange.application_id == application.id,  # type: ignore[arg-type]
            )
            .order_by(StageChange.changed_at.desc(), StageChange.id.desc())  # type: ignore[attr-defined]
        )
        entries = list(history)
        if not entries or entries[0].outcome_id != record.id:
            return  # the user or another outcome moved it later: leave their stage
        before = next((e for e in entries if e.outcome_id != record.id), None)
        if before is None or before.to_stage == application.stage:
            return
        previous = application.stage
        application.stage = before.to_stage
        touch(application, seq)
        await record_stage_change(
            session, caller, application, previous, StageCause.outcome, record.id
        )


outcomes = Outcomes()
