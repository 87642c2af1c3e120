"""Product requests: requests, their status history, theme and item links, stored evidence.

Chained after the feedback-kinds migration (0006).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:12:44.392728
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import voc.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("external_key", sa.String(length=255), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("release_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", voc.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", voc.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("shipped_at", voc.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_model", sa.String(length=255), nullable=True),
        sa.Column("embedding_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_key"),
    )
    with op.batch_alter_table("product_requests", schema=None) as batch_op:
        batch_op.create_index("ix_product_requests_status", ["status"], unique=False)

    op.create_table(
        "request_stats",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("n_items", sa.Integer(), nullable=False),
        sa.Column("n_customers", sa.Integer(), nullable=False),
        sa.Column("n_accounts", sa.Integer(), nullable=False),
        sa.Column("arr", sa.Float(), nullable=False),
        sa.Column("n_promoters", sa.Integer(), nullable=False),
        sa.Column("n_passives", sa.Integer(), nullable=False),
        sa.Column("n_detractors", sa.Integer(), nullable=False),
        sa.Column("n_negative", sa.Integer(), nullable=False),
        sa.Column("n_recent", sa.Integer(), nullable=False),
        sa.Column("n_previous", sa.Integer(), nullable=False),
        sa.Column("nps", sa.Float(), nullable=True),
        sa.Column("opportunity", sa.Float(), nullable=False),
        sa.Column("computed_at", voc.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["product_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_table(
        "request_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", voc.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["product_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("request_status_changes", schema=None) as batch_op:
        batch_op.create_index("ix_request_status_changes_request_id", ["request_id"], unique=False)

    op.create_table(
        "theme_request_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("from_theme_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", voc.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", voc.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["product_requests.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("theme_id", "request_id", name="uq_theme_request_links_pair"),
    )
    with op.batch_alter_table("theme_request_links", schema=None) as batch_op:
        batch_op.create_index("ix_theme_request_links_request_id", ["request_id"], unique=False)

    op.create_table(
        "feedback_request_links",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("linked_by", sa.String(length=320), nullable=False),
        sa.Column("linked_at", voc.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["feedback_id"], ["feedback.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["product_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feedback_id", "request_id"),
    )
    with op.batch_alter_table("feedback_request_links", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_request_links_request_id", ["request_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback_request_links", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_request_links_request_id")

    op.drop_table("feedback_request_links")
    with op.batch_alter_table("theme_request_links", schema=None) as batch_op:
        batch_op.drop_index("ix_theme_request_links_request_id")

    op.drop_table("theme_request_links")
    with op.batch_alter_table("request_status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_request_status_changes_request_id")

    op.drop_table("request_status_changes")
    op.drop_table("request_stats")
    with op.batch_alter_table("product_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_product_requests_status")

    op.drop_table("product_requests")
