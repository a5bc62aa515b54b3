"""email codes and email_verified: email changes confirmed by a code, sign-up verification

Existing accounts start unverified (no code was ever mailed to them); each can verify with
POST /v1/auth/verify-email/resend.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.core.db
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("email_verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "email_codes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_email_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "purpose", name=op.f("pk_email_codes")),
    )


def downgrade() -> None:
    op.drop_table("email_codes")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_verified")
