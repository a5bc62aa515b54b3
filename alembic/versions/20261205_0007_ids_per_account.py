"""ids per account: every user-owned table's primary key becomes (user_id, id)

An id another account uses is then a fresh id here: creating or importing it no longer tells
anyone that it exists elsewhere. The (user_id, id) unique constraints the same-user references
pointed at are replaced by the keys themselves. A timeline entry's outcome becomes a same-user
reference too; entries that cited another account's outcome (an import could store one) lose
that citation (it is set to null), since the outcome was never theirs. The token tables'
separate user_id indexes are covered by the new keys and are dropped.

Downgrade refuses, with a message, once two accounts hold the same id in one table: the old
key could not hold both.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 17:20:00.000000
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose (user_id, id) was a unique constraint beside the primary key id.
WITH_UNIQUE = (
    "applications",
    "contacts",
    "outcomes",
    "interviews",
    "feedback_conversations",
    "reflections",
)
TABLES = (*WITH_UNIQUE, "stage_changes", "refresh_tokens", "password_reset_tokens")
# Same-user references: (table, column, parent).
REFERENCES = (
    ("interviews", "application_id", "applications"),
    ("outcomes", "application_id", "applications"),
    ("stage_changes", "application_id", "applications"),
    ("feedback_conversations", "application_id", "applications"),
    ("feedback_conversations", "outcome_id", "outcomes"),
    ("feedback_conversations", "contact_id", "contacts"),
    ("reflections", "application_id", "applications"),
    ("reflections", "outcome_id", "outcomes"),
)
USER_ID_INDEXES = ("refresh_tokens", "password_reset_tokens")
TIMELINE_OUTCOME = ("stage_changes", "outcome_id", "outcomes")


def _fk(table: str, column: str, parent: str) -> str:
    return f"fk_{table}_user_id_{column}_{parent}"


@contextmanager
def _batch_copies() -> Iterator[None]:
    """SQLAlchemy warns that each copy's reflected key differs from the one it is given: that
    difference is the point of the copy."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Table '_alembic_tmp_", sa.exc.SAWarning)
        yield


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # Outcomes cited by timeline entries of another account: never theirs to cite.
    op.execute(
        """
        UPDATE stage_changes SET outcome_id = NULL
        WHERE outcome_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM outcomes
            WHERE outcomes.user_id = stage_changes.user_id AND outcomes.id = stage_changes.outcome_id
        )
        """
    )
    if _sqlite():
        with _batch_copies():
            _sqlite_upgrade()
        return
    for table, column, parent in REFERENCES:
        op.drop_constraint(_fk(table, column, parent), table, type_="foreignkey")
    for table in TABLES:
        if table in WITH_UNIQUE:
            op.drop_constraint(f"uq_{table}_user_id_id", table, type_="unique")
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["user_id", "id"])
    for table, column, parent in (*REFERENCES, TIMELINE_OUTCOME):
        _create_reference(table, column, parent)
    op.create_index("ix_stage_changes_user_id_outcome_id", "stage_changes", ["user_id", "outcome_id"])
    for table in USER_ID_INDEXES:
        op.drop_index(f"ix_{table}_user_id", table_name=table)


def _create_reference(table: str, column: str, parent: str) -> None:
    op.create_foreign_key(
        _fk(table, column, parent),
        table,
        parent,
        ["user_id", column],
        ["user_id", "id"],
        ondelete="CASCADE",
    )


def _sqlite_upgrade() -> None:
    # SQLite cannot alter a key: each table is copied into its new shape (foreign keys are
    # off during migrations, see alembic/env.py, so no copy cascades into another table).
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always") as batch:
            if table in WITH_UNIQUE:
                batch.drop_constraint(f"uq_{table}_user_id_id", type_="unique")
            batch.create_primary_key(f"pk_{table}", ["user_id", "id"])
            if table == "stage_changes":
                batch.create_foreign_key(
                    _fk(*TIMELINE_OUTCOME),
                    "outcomes",
                    ["user_id", "outcome_id"],
                    ["user_id", "id"],
                    ondelete="CASCADE",
                )
                batch.create_index("ix_stage_changes_user_id_outcome_id", ["user_id", "outcome_id"])
            if table in USER_ID_INDEXES:
                batch.drop_index(f"ix_{table}_user_id")


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        shared = bind.execute(
            sa.text(f"SELECT COUNT(*) FROM (SELECT id FROM {table} GROUP BY id HAVING COUNT(*) > 1) s")  # noqa: S608
        ).scalar_one()
        if shared:
            raise RuntimeError(
                f"Cannot downgrade below 0007: {shared} id(s) of {table} are used by more than "
                "one account, which a primary key on id alone cannot hold. Give those records "
                "new ids (or erase one of the accounts) first."
            )
    if _sqlite():
        with _batch_copies():
            _sqlite_downgrade()
        return
    for table, column, parent in (*REFERENCES, TIMELINE_OUTCOME):
        op.drop_constraint(_fk(table, column, parent), table, type_="foreignkey")
    op.drop_index("ix_stage_changes_user_id_outcome_id", table_name="stage_changes")
    for table in TABLES:
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["id"])
        if table in WITH_UNIQUE:
            op.create_unique_constraint(f"uq_{table}_user_id_id", table, ["user_id", "id"])
    for table, column, parent in REFERENCES:
        _create_reference(table, column, parent)
    for table in USER_ID_INDEXES:
        op.create_index(f"ix_{table}_user_id", table, ["user_id"])


def _sqlite_downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always") as batch:
            if table == "stage_changes":
                batch.drop_constraint(_fk(*TIMELINE_OUTCOME), type_="foreignkey")
                batch.drop_index("ix_stage_changes_user_id_outcome_id")
            batch.create_primary_key(f"pk_{table}", ["id"])
            if table in WITH_UNIQUE:
                batch.create_unique_constraint(f"uq_{table}_user_id_id", ["user_id", "id"])
            if table in USER_ID_INDEXES:
                batch.create_index(f"ix_{table}_user_id", ["user_id"])
