"""Outcomes move their application's stage and leave a line on its timeline."""

import uuid
from typing import Any

from app.applications.models import APPLICATIONS, StageCause
from app.applications.service import move_stage, set_stage, stage_history
from app.core.database import Executor, Row, first
from app.core.errors import FieldError, ProblemError
from app.core.identity import Caller
from app.outcomes.models import (
    OFFER_FIELDS,
    OUTCOMES,
    STAGE_AFTER,
    OutcomeCreate,
    OutcomeUpdate,
)
from app.shared import repository
from app.shared.quota import RecordQuota
from app.shared.repository import Check


def _check_offer_fields(kind: str, values: dict[str, Any]) -> None:
    if kind == "offer":
        return
    given = [name for name in OFFER_FIELDS if values.get(name) is not None]
    if given:
        raise ProblemError(
            422,
            "`offer_salary` and `offer_deadline` are only for outcomes of kind `offer`: leave "
            "them out, or set `kind` to `offer`.",
            slug="validation-error",
            errors=[
                FieldError(field=f"body.{name}", message="Only for offers.", code="offer_only")
                for name in given
            ],
        )


async def _move_the_application(tx: Executor, caller: Caller, outcome: Row, seq: int) -> None:
    stage = STAGE_AFTER[outcome["kind"]]
    await move_stage(tx, caller, outcome["application_id"], stage, seq, outcome["id"])


async def check_references(executor: Executor, caller: Caller, values: dict[str, Any]) -> None:
    """A new outcome is about one of the caller's live applications; offer details only for
    offers."""
    await repository.require_live(
        executor, caller, APPLICATIONS, values["application_id"], field="application_id"
    )
    _check_offer_fields(values["kind"], values)


async def create_outcome(
    executor: Executor, caller: Caller, body: OutcomeCreate, quota: RecordQuota
) -> tuple[Row, bool]:
    values = body.model_dump(exclude={"id"})
    _check_offer_fields(values["kind"], values)
    return await repository.create(
        executor,
        caller,
        OUTCOMES,
        body,
        values,
        quota=quota,
        guards=[repository.live(APPLICATIONS, "v_application_id")],
        explain=lambda: check_references(executor, caller, values),
        effect=_move_the_application,
    )


async def _offer_fields_for_offers(
    _tx: Executor, _caller: Caller, current: Row, changes: dict[str, Any]
) -> None:
    merged = {name: current[name] for name in OFFER_FIELDS} | changes
    if "kind" in changes and changes["kind"] != "offer":
        # Changing an offer into another kind drops the offer details it no longer has.
        for name in OFFER_FIELDS:
            if name not in changes:
                merged[name] = None
                changes[name] = None
    _check_offer_fields(changes.get("kind", current["kind"]), merged)


async def _kind_moves_the_stage(
    tx: Executor, caller: Caller, _previous: Row, row: Row, changes: dict[str, Any], seq: int
) -> None:
    if "kind" in changes:
        await _move_the_application(tx, caller, row, seq)


async def update_outcome(
    executor: Executor, caller: Caller, outcome_id: uuid.UUID, body: OutcomeUpdate, check: Check
) -> Row:
    return await repository.update_record(
        executor,
        caller,
        OUTCOMES,
        outcome_id,
        body.changes(),
        check,
        rule=_offer_fields_for_offers,
        effect=_kind_moves_the_stage,
    )


async def _undo_stage_moves(tx: Executor, caller: Caller, outcome: Row, seq: int) -> None:
    """Undo this outcome's stage moves if nothing else moved the application since."""
    application = await first(
        tx,
        repository.get_statement(APPLICATIONS),
        {"id": outcome["application_id"], "user_id": caller.id},
    )
    if application is None:
        return
    entries = await stage_history(tx, caller, application["id"])
    if not entries or entries[0]["outcome_id"] != outcome["id"]:
        return  # the user or another outcome moved it later: leave their stage
    before = next((e for e in entries if e["outcome_id"] != outcome["id"]), None)
    if before is None or before["to_stage"] == application["stage"]:
        return
    await set_stage(
        tx, caller, application, before["to_stage"], seq, StageCause.outcome, outcome["id"]
    )


async def delete_outcome(
    executor: Executor, caller: Caller, outcome_id: uuid.UUID, check: Check
) -> None:
    await repository.delete_record(
        executor, caller, OUTCOMES, outcome_id, check, cascade=_undo_stage_moves
    )


async def check_outcome_of(
    executor: Executor, caller: Caller, outcome_id: uuid.UUID, application_id: uuid.UUID | None
) -> Row:
    """The caller's live outcome named in a body, which must be about `application_id` when
    one is given."""
    outcome = await repository.require_live(
        executor, caller, OUTCOMES, outcome_id, field="outcome_id"
    )
    if application_id is not None and outcome["application_id"] != application_id:
        raise ProblemError(
            422,
            "`outcome_id` names an outcome of another application: send an outcome of the "
            "application in `application_id`, or leave `outcome_id` out.",
            slug="validation-error",
            errors=[
                FieldError(
                    field="body.outcome_id",
                    message="This outcome is not about the same application.",
                    code="application_mismatch",
                )
            ],
        )
    return outcome
