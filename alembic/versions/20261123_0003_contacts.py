"""contacts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:18:51.286316
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

import app.core.db
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("company", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column(
            "links",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("relationship", sa.String(length=16), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.Column("last_contacted_on", sa.Date(), nullable=True),
        sa.Column("next_follow_up_on", sa.Date(), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "application_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contacts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("user_id", "id", name=op.f("uq_contacts_user_id_id")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_user_change", ["user_id", "change_seq", "id"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_user_follow_up", ["user_id", "next_follow_up_on"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_user_updated", ["user_id", "updated_at", "id"], unique=False
        )

    with op.batch_alter_table("feedback_conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_conversations_user_id_contact_id_contacts"),
            "contacts",
            ["user_id", "contact_id"],
            ["user_id", "id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_conversations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_feedback_conversations_user_id_contact_id_contacts"), type_="foreignkey"
        )
        batch_op.drop_column("contact_id")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_user_updated")
        batch_op.drop_index("ix_contacts_user_follow_up")
        batch_op.drop_index("ix_contacts_user_change")

    op.drop_table("contacts")
