"""Text search that stays fast at 1M items: a trigram index over feedback text.

SQLite: an FTS5 table with the trigram tokenizer over ``feedback.text`` (external content,
kept in step by triggers); PostgreSQL: the pg_trgm extension and a GIN trigram index. Both
answer "which items contain this text" for any substring of three characters or more, case
insensitive, without reading every row. Neither is part of the SQLAlchemy models (they are
dialect-specific); ``voc.db.SEARCH_INDEX_NAMES`` lists them for schema comparisons.

A later SQLite migration that rebuilds ``feedback`` in batch mode drops these triggers and must
create them again (``create_sqlite_triggers`` below).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = {
    "feedback_fts_insert": (
        "AFTER INSERT ON feedback BEGIN "
        "INSERT INTO feedback_fts(rowid, text) VALUES (new.id, new.text); END"
    ),
    "feedback_fts_delete": (
        "AFTER DELETE ON feedback BEGIN "
        "INSERT INTO feedback_fts(feedback_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "END"
    ),
    "feedback_fts_update": (
        "AFTER UPDATE OF text ON feedback BEGIN "
        "INSERT INTO feedback_fts(feedback_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO feedback_fts(rowid, text) VALUES (new.id, new.text); END"
    ),
}


def create_sqlite_triggers() -> None:
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE feedback_fts USING fts5("
            "text, content='feedback', content_rowid='id', tokenize='trigram')"
        )
        op.execute("INSERT INTO feedback_fts(feedback_fts) VALUES ('rebuild')")
        create_sqlite_triggers()
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_feedback_text_trgm ON feedback USING gin (text gin_trgm_ops)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS feedback_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_feedback_text_trgm")
