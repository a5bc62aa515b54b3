"""tokens name their account: refresh and reset tokens are found by (user_id, token_hash)

Each token now carries its account's id beside the secret (app/shared/routed_tokens.py), so a
lookup reads one account's rows: the unique constraint on token_hash alone becomes one on
(user_id, token_hash). Refresh tokens issued before keep working until they expire (phones
hold them), found by hash alone: refresh_tokens keeps a plain index on token_hash for them.
Reset codes mailed before are refused, so password_reset_tokens needs none.

Rows are kept both ways. Down again, the constraint on token_hash alone is restored (hashes of
random tokens do not repeat), and the earlier code finds every token by its hash, those that
name their account included.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("refresh_tokens", "password_reset_tokens")
LEGACY_INDEXED = "refresh_tokens"


def upgrade() -> None:
    # Batch mode: SQLite copies the table to change a constraint; PostgreSQL alters it.
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_token_hash", type_="unique")
            batch.create_unique_constraint(
                f"uq_{table}_user_id_token_hash", ["user_id", "token_hash"]
            )
            if table == LEGACY_INDEXED:
                batch.create_index(f"ix_{table}_token_hash", ["token_hash"])


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            if table == LEGACY_INDEXED:
                batch.drop_index(f"ix_{table}_token_hash")
            batch.drop_constraint(f"uq_{table}_user_id_token_hash", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_token_hash", ["token_hash"])
