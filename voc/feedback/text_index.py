"""The trigram text index of feedback (migration 0005) during large imports.

On SQLite a trigger adds each inserted row to the FTS5 table. For a file import that is one
FTS insert per row; one ``INSERT ... SELECT`` over the new rows at the end of the import does
the same work about five times faster (200k rows: 15 s -> 3 s). The trigger is dropped and
created again inside the import's own transaction: SQLite has a single writer, so no other
insert can happen meanwhile, and a rollback restores the trigger with everything else.
PostgreSQL maintains its GIN index itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from voc.feedback.models import Feedback

INSERT_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS feedback_fts_insert AFTER INSERT ON feedback BEGIN "
    "INSERT INTO feedback_fts(rowid, text) VALUES (new.id, new.text); END"
)


def _has_fts(session: Session) -> bool:
    found = session.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback_fts'")
    ).first()
    return found is not None


def _index_new_rows(session: Session, after_id: int) -> None:
    session.flush()
    session.execute(
        text("INSERT INTO feedback_fts(rowid, text) SELECT id, text FROM feedback WHERE id > :id"),
        {"id": after_id},
    )
    session.execute(text(INSERT_TRIGGER))


@contextlib.contextmanager
def indexed_at_end(session: Session) -> Iterator[None]:
    """Inside: rows inserted into ``feedback`` are text-indexed in one statement at the end."""
    if session.get_bind().dialect.name != "sqlite" or not _has_fts(session):
        yield
        return
    after_id = int(session.scalar(select(func.max(Feedback.id))) or 0)
    session.execute(text("DROP TRIGGER IF EXISTS feedback_fts_insert"))
    try:
        yield
    except BaseException:
        # the caller rolls back (the trigger comes back with it); should it commit instead,
        # the rows written so far are indexed and the trigger is back
        with contextlib.suppress(Exception):
            _index_new_rows(session, after_id)
        raise
    _index_new_rows(session, after_id)
