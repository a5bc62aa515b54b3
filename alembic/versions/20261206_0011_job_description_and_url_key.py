"""job description, job URL key and company key: applications keep the posting's text, "have I
applied already?" compares postings, not URLs, and "ACME GmbH" and "Acme" are one company

Three columns on applications:
- `job_description` (text, up to 100,000 characters, checked by the API): null for the
  rows that exist.
- `job_url_key`: the posting `job_url` names without tracking parameters, fragment, `www.`
  or trailing slash (app/shared/job_urls.py), indexed with `user_id` for the `job_url`
  filter. Filled here for every existing row that has a `job_url`.
- `company_key`: the employer `company` names (app/shared/company_names.py), indexed with
  `user_id` for GET /v1/companies. Filled here for every existing row. Contacts gain the
  same column, for the same page (the people met at a company).
The API keeps both keys in step with `job_url` and `company` on every write. Neither is
shown, so no record changes for clients (version and change number stay).

Down again, the three columns go; `job_url` and `company` themselves were never touched.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from app.shared.company_names import company_key
from app.shared.job_urls import job_url_key

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_applications = sa.table(
    "applications",
    sa.column("user_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("job_url", sa.String()),
    sa.column("job_url_key", sa.String()),
    sa.column("company", sa.String()),
    sa.column("company_key", sa.String()),
)
_contacts = sa.table(
    "contacts",
    sa.column("user_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("company", sa.String()),
    sa.column("company_key", sa.String()),
)
_BATCH = 1_000


def _fill_contact_keys() -> None:
    bind = op.get_bind()
    c = _contacts.c
    rows = bind.execute(sa.select(c.user_id, c.id, c.company).where(c.company.is_not(None)))
    updates = [
        {"k_user": user_id, "k_id": record_id, "k_company": company_key(company)}
        for user_id, record_id, company in rows
    ]
    statement = (
        sa.update(_contacts)
        .where(c.user_id == sa.bindparam("k_user"), c.id == sa.bindparam("k_id"))
        .values(company_key=sa.bindparam("k_company"))
    )
    for start in range(0, len(updates), _BATCH):
        bind.execute(statement, updates[start : start + _BATCH])


def _fill_keys() -> None:
    bind = op.get_bind()
    c = _applications.c
    rows = bind.execute(sa.select(c.user_id, c.id, c.job_url, c.company)).all()
    updates = [
        {"k_user": user_id, "k_id": record_id, "k_url": job_url_key(url), "k_company": company_key(company)}
        for user_id, record_id, url, company in rows
    ]
    statement = (
        sa.update(_applications)
        .where(c.user_id == sa.bindparam("k_user"), c.id == sa.bindparam("k_id"))
        .values(job_url_key=sa.bindparam("k_url"), company_key=sa.bindparam("k_company"))
    )
    for start in range(0, len(updates), _BATCH):
        bind.execute(statement, updates[start : start + _BATCH])


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("job_description", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("job_url_key", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True)
        )
        batch.add_column(
            sa.Column("company_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch.create_index("ix_applications_user_job_url", ["user_id", "job_url_key"])
        batch.create_index("ix_applications_user_company", ["user_id", "company_key"])
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(
            sa.Column("company_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch.create_index("ix_contacts_user_company", ["user_id", "company_key"])
    _fill_keys()
    _fill_contact_keys()


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index("ix_contacts_user_company")
        batch.drop_column("company_key")
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_user_company")
        batch.drop_index("ix_applications_user_job_url")
        batch.drop_column("company_key")
        batch.drop_column("job_url_key")
        batch.drop_column("job_description")
