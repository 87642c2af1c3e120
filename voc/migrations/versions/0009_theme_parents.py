"""Theme hierarchy: parent themes, their lineage, each theme's parent and a person's choice.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "theme_parents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("machine_label", sa.String(length=255), nullable=False),
        sa.Column("keywords", JSON, nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_run_id", sa.Integer(), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("retired_run_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("human_label", sa.String(length=255), nullable=True),
        sa.Column("human_edited_at", TS, nullable=True),
        sa.Column("human_edited_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["created_run_id"], ["analysis_runs.id"]),
        sa.ForeignKeyConstraint(["last_run_id"], ["analysis_runs.id"]),
        sa.ForeignKeyConstraint(["retired_run_id"], ["analysis_runs.id"]),
        sa.ForeignKeyConstraint(["merged_into_id"], ["theme_parents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("theme_parents", schema=None) as batch_op:
        batch_op.create_index("ix_theme_parents_status", ["status"], unique=False)
    op.create_table(
        "theme_parent_lineage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("related_parent_ids", JSON, nullable=False),
        sa.Column("theme_ids", JSON, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["analysis_runs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["theme_parents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("theme_parent_lineage", schema=None) as batch_op:
        batch_op.create_index("ix_theme_parent_lineage_run_id", ["run_id"], unique=False)
    # SQLite: a plain ADD COLUMN ... REFERENCES (a batch copy of themes would break the
    # foreign keys of its assignments); PostgreSQL: the column, then its constraint.
    for column in ("parent_id", "human_parent_id"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(
                f"ALTER TABLE themes ADD COLUMN {column} INTEGER REFERENCES theme_parents (id)"
            )
        else:
            op.add_column("themes", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(
                f"fk_themes_{column}_theme_parents", "themes", "theme_parents", [column], ["id"]
            )
    op.create_index("ix_themes_parent_id", "themes", ["parent_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_themes_parent_id", table_name="themes")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_column("human_parent_id")
        batch_op.drop_column("parent_id")
    with op.batch_alter_table("theme_parent_lineage", schema=None) as batch_op:
        batch_op.drop_index("ix_theme_parent_lineage_run_id")
    op.drop_table("theme_parent_lineage")
    with op.batch_alter_table("theme_parents", schema=None) as batch_op:
        batch_op.drop_index("ix_theme_parents_status")
    op.drop_table("theme_parents")
