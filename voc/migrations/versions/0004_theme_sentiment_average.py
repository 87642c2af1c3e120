"""Average sentiment score per theme: sum and count of item scores in the stored stats.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("theme_stats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sentiment_sum", sa.Float(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("n_sentiment", sa.Integer(), nullable=False, server_default="0")
        )
    # fill the stored rows from the items (one pass over the assignments, by the theme index)
    items_of_theme = (
        "FROM theme_assignments JOIN feedback ON feedback.id = theme_assignments.feedback_id "
        "WHERE theme_assignments.theme_id = theme_stats.theme_id"
    )
    op.execute(
        "UPDATE theme_stats SET "
        f"sentiment_sum = COALESCE((SELECT SUM(feedback.sentiment_score) {items_of_theme}), 0), "
        f"n_sentiment = (SELECT COUNT(feedback.sentiment_score) {items_of_theme})"
    )


def downgrade() -> None:
    with op.batch_alter_table("theme_stats", schema=None) as batch_op:
        batch_op.drop_column("n_sentiment")
        batch_op.drop_column("sentiment_sum")
