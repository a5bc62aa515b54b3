"""Reflections may point at an application, an outcome of it, or neither. Their next steps
carry ids of their own, kept across rewrites of the list, so one step can be changed alone."""

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.applications.models import APPLICATIONS
from app.core.database import Executor, Row
from app.core.errors import not_found
from app.core.identity import Caller
from app.outcomes.service import check_outcome_of
from app.reflections.models import (
    REFLECTIONS,
    NextStepUpdate,
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
        await repository.require_live(
            executor, caller, APPLICATIONS, values["application_id"], field="application_id"
        )
    if values.get("outcome_id") is not None:
        outcome = await check_outcome_of(
            executor, caller, values["outcome_id"], values.get("application_id")
        )
        values["application_id"] = outcome["application_id"]


def _random_id(_position: int) -> uuid.UUID:
    return uuid.uuid4()


def with_step_ids(
    steps: Sequence[Mapping[str, Any]],
    current: Sequence[Mapping[str, Any]] = (),
    new_id: Callable[[int], uuid.UUID] = _random_id,
) -> list[dict[str, Any]]:
    """Next steps (stored form: ids as text) each with an id: the one sent, else the id of a
    current step with the same text that no other step claims (so a client that resends the
    list without ids keeps them), else `new_id(position)`."""
    claimed = {str(step["id"]) for step in steps if step.get("id") is not None}
    by_text: dict[str, list[str]] = {}
    for step in current:
        known = step.get("id")
        if known is not None and str(known) not in claimed:
            by_text.setdefault(step["text"], []).append(str(known))
    named = []
    for position, step in enumerate(steps):
        if step.get("id") is None:
            if same_text := by_text.get(step["text"]):
                step_id = same_text.pop(0)
            else:
                step_id = str(new_id(position))
                while step_id in claimed:  # a client may have sent any id: never repeat one
                    step_id = str(uuid.uuid4())
            claimed.add(step_id)
            step = {**step, "id": step_id}
        named.append(dict(step))
    return named


async def create_reflection(
    executor: Executor, caller: Caller, body: ReflectionCreate, quota: RecordQuota
) -> tuple[Row, bool]:
    if any(step.id is None for step in body.next_steps):
        # With a client id, the ids given are derived from it: re-sending the same body is
        # then recognised as the same reflection (201 once, 200 after), not a 409.
        reflection_id = body.id

        def new_id(position: int) -> uuid.UUID:
            if reflection_id is None:
                return uuid.uuid4()
            return uuid.uuid5(reflection_id, f"next-step-{position}")

        sent = [step.model_dump() for step in body.next_steps]
        steps = [
            step.model_copy(update={"id": uuid.UUID(str(named["id"]))})
            for step, named in zip(body.next_steps, with_step_ids(sent, new_id=new_id), strict=True)
        ]
        body = body.model_copy(update={"next_steps": steps})
    values = body.model_dump(exclude={"id"})
    await check_references(executor, caller, values)
    return await repository.create(executor, caller, REFLECTIONS, body, values, quota=quota)


async def _name_steps(
    _executor: Executor, _caller: Caller, current: Row, changes: dict[str, Any]
) -> None:
    """A list of next steps sent whole keeps the ids of the steps it keeps."""
    if changes.get("next_steps") is not None:
        changes["next_steps"] = with_step_ids(changes["next_steps"], current["next_steps"])


async def update_reflection(
    executor: Executor,
    caller: Caller,
    reflection_id: uuid.UUID,
    body: ReflectionUpdate,
    check: Check,
) -> Row:
    return await repository.update_record(
        executor, caller, REFLECTIONS, reflection_id, body.changes(), check, _name_steps
    )


async def update_next_step(
    executor: Executor,
    caller: Caller,
    reflection_id: uuid.UUID,
    step_id: uuid.UUID,
    body: NextStepUpdate,
    check: Check,
) -> Row:
    """Change one next step of a reflection; the reflection gets a new version."""
    sent = body.model_dump(mode="json", include=body.model_fields_set)

    async def change_step(
        _executor: Executor, _caller: Caller, current: Row, changes: dict[str, Any]
    ) -> None:
        steps = [dict(step) for step in current["next_steps"]]
        for step in steps:
            if step.get("id") == str(step_id):
                step.update(sent)
                break
        else:
            raise not_found("next step in this reflection")
        changes["next_steps"] = steps

    return await repository.update_record(
        executor, caller, REFLECTIONS, reflection_id, {}, check, change_step
    )


async def delete_reflection(
    executor: Executor, caller: Caller, reflection_id: uuid.UUID, check: Check
) -> None:
    await repository.delete_record(executor, caller, REFLECTIONS, reflection_id, check)
