"""Theme items newest first and top quotes from indexes: feedback_created_at on assignments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("theme_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feedback_created_at", TS, nullable=True))
    op.execute(
        "UPDATE theme_assignments SET feedback_created_at = "
        "(SELECT feedback.created_at FROM feedback WHERE feedback.id = theme_assignments.feedback_id)"
    )
    with op.batch_alter_table("theme_assignments", schema=None) as batch_op:
        batch_op.alter_column("feedback_created_at", existing_type=TS, nullable=False)
        batch_op.drop_index("ix_theme_assignments_theme_id")
        batch_op.create_index(
            "ix_theme_assignments_theme_created",
            ["theme_id", "feedback_created_at", "feedback_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_theme_assignments_theme_confidence", ["theme_id", "confidence"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("theme_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_theme_assignments_theme_confidence")
        batch_op.drop_index("ix_theme_assignments_theme_created")
        batch_op.create_index("ix_theme_assignments_theme_id", ["theme_id"], unique=False)
        batch_op.drop_column("feedback_created_at")
