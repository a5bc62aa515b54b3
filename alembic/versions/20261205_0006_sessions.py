"""sessions: one row per sign-in, backfilled from the refresh-token families

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.core.db
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_sessions")),
    )
    # Every sign-in so far is a session: a family of refresh tokens, ended when all of its
    # tokens are revoked. Its device was never recorded.
    op.execute(
        """
        INSERT INTO sessions (user_id, id, device, created_at, last_used_at, revoked_at)
        SELECT user_id, family_id, 'Unknown device', MIN(created_at), MAX(created_at),
               CASE WHEN COUNT(*) = COUNT(revoked_at) THEN MAX(revoked_at) END
        FROM refresh_tokens
        GROUP BY user_id, family_id
        """
    )


def downgrade() -> None:
    # The families keep their own revocations in refresh_tokens: nothing else to restore.
    op.drop_table("sessions")
