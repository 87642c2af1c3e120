"""Feedback kind: request, bug, praise, question or other, with its confidence; theme kind mix.

Existing rows keep ``kind`` NULL; the next analysis run (``voc analyze``) fills every item whose
kind is missing, from the embeddings it already has.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

JsonType = sa.JSON().with_variant(JSONB(), "postgresql")

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (no batch rebuild): SQLite adds nullable columns in place, so the text
    # search triggers of 0005 stay and a large table is not copied
    op.add_column("feedback", sa.Column("kind", sa.String(length=16), nullable=True))
    op.add_column("feedback", sa.Column("kind_confidence", sa.Float(), nullable=True))
    op.create_index("ix_feedback_kind", "feedback", ["kind"], unique=False)
    # each theme's kind mix beside its other counts (filled by the next stats refresh)
    op.add_column(
        "theme_stats",
        sa.Column("kinds", JsonType, nullable=False, server_default="{}"),
    )


def downgrade() -> None:
    op.drop_column("theme_stats", "kinds")
    op.drop_index("ix_feedback_kind", table_name="feedback")
    # SQLite (3.35+) drops a plain column in place too
    op.drop_column("feedback", "kind_confidence")
    op.drop_column("feedback", "kind")
