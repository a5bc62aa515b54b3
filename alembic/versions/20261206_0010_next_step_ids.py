"""next step ids: every next step of a reflection gets a stable id of its own

Next steps live in reflections.next_steps (JSON on SQLite, JSONB on PostgreSQL), and were
addressed by their position. Each stored step now gets a new uuid under `id`, so a client can
change one step alone (PATCH /v1/reflections/{id}/next-steps/{step_id}) and the agenda can name
it. No column changes: the rows keep their data, and each reflection whose steps gain ids is a
change like any other (version +1, so ETags change; a new change number of its user's, so a
delta sync hands the ids to devices that synced before). Down again, the ids are removed the
same way.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:00:00.000000
"""

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import app.core.db
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("change_seq", sa.BigInteger()))
_reflections = sa.table(
    "reflections",
    sa.column("user_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("next_steps", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.column("version", sa.Integer()),
    sa.column("change_seq", sa.BigInteger()),
    sa.column("updated_at", app.core.db.UTCDateTime(timezone=True)),
)

Steps = list[dict[str, Any]]


def _named(steps: Steps) -> Steps:
    return [step if step.get("id") else {**step, "id": str(uuid.uuid4())} for step in steps]


def _unnamed(steps: Steps) -> Steps:
    return [{name: value for name, value in step.items() if name != "id"} for step in steps]


def _rewrite_steps(change: Callable[[Steps], Steps]) -> None:
    """Apply `change` to every reflection's next steps (tombstones too: an import may bring
    one back); each reflection that changes is written as a change of its user's."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_reflections.c.user_id, _reflections.c.id, _reflections.c.next_steps).order_by(
            _reflections.c.user_id, _reflections.c.id
        )
    ).all()
    changed: dict[uuid.UUID, list[tuple[uuid.UUID, Steps]]] = {}
    for user_id, reflection_id, steps in rows:
        if steps and (new := change(steps)) != steps:
            changed.setdefault(user_id, []).append((reflection_id, new))
    now = datetime.now(UTC)
    for user_id, reflections in changed.items():
        seq = bind.execute(
            sa.update(_users)
            .where(_users.c.id == user_id)
            .values(change_seq=_users.c.change_seq + 1)
            .returning(_users.c.change_seq)
        ).scalar_one()
        for reflection_id, steps in reflections:
            bind.execute(
                sa.update(_reflections)
                .where(_reflections.c.user_id == user_id, _reflections.c.id == reflection_id)
                .values(
                    next_steps=steps,
                    version=_reflections.c.version + 1,
                    change_seq=seq,
                    updated_at=now,
                )
            )


def upgrade() -> None:
    _rewrite_steps(_named)


def downgrade() -> None:
    _rewrite_steps(_unnamed)
