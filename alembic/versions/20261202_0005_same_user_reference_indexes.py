"""indexes for the same-user references

Every (user_id, <reference>) foreign key gets the index that serves it: without one, finding
the rows that point at a record read every row of the user's, once per record (the agenda's
"reflection missing" rule took 17 s on SQLite for a user with 10,000 applications; erasing a
record's dependents, the same). stage_changes has one already (ix_stage_changes_application).

On PostgreSQL the indexes are built CONCURRENTLY, outside a transaction: writes go on while
they build.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCES = (
    ("interviews", "application_id"),
    ("outcomes", "application_id"),
    ("reflections", "application_id"),
    ("reflections", "outcome_id"),
    ("feedback_conversations", "application_id"),
    ("feedback_conversations", "outcome_id"),
    ("feedback_conversations", "contact_id"),
)


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for table, column in REFERENCES:
            op.create_index(
                op.f(f"ix_{table}_user_id_{column}"),
                table,
                ["user_id", column],
                postgresql_concurrently=True,
            )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        for table, column in REFERENCES:
            op.drop_index(
                op.f(f"ix_{table}_user_id_{column}"), table_name=table, postgresql_concurrently=True
            )
