"""Stored evidence of each request (request_evidence): a cold request detail reads one row.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "request_evidence",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["product_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id"),
    )
    # the detail's staleness check reads max(accounts.updated_at)
    op.create_index("ix_accounts_updated_at", "accounts", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_accounts_updated_at", table_name="accounts")
    op.drop_table("request_evidence")
