"""Queries the analysis needs: items in scope, prior themes, bulk writes of assignments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, desc, func, insert, select, update
from sqlalchemy.orm import Session

from voc.feedback.models import Feedback
from voc.theme.models import AnalysisRun, RunStatus, Theme, ThemeAssignment, ThemeStatus

CHUNK = 900
WRITE_CHUNK = 5000


@dataclass(frozen=True)
class ItemRow:
    """What the analysis reads of a feedback item."""

    id: int
    text: str
    text_hash: str
    sentiment_model: str | None
    kind: str | None = None
    kind_confidence: float | None = None


def _chunks(values: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def load_items(session: Session, *, ids: Sequence[int] | None = None) -> list[ItemRow]:
    """Items with non-empty text, all of them or those with the given ids, ordered by id."""
    columns = (
        Feedback.id,
        Feedback.text,
        Feedback.text_hash,
        Feedback.sentiment_model,
        Feedback.kind,
        Feedback.kind_confidence,
    )
    base = select(*columns).where(func.length(func.trim(Feedback.text)) > 0)
    if ids is None:
        result = session.execute(base.order_by(Feedback.id).execution_options(yield_per=10_000))
        return [ItemRow(*row) for row in result]
    rows: list[ItemRow] = []
    for chunk in _chunks(sorted(set(ids))):
        rows.extend(ItemRow(*row) for row in session.execute(base.where(Feedback.id.in_(chunk))))
    rows.sort(key=lambda r: r.id)
    return rows


def active_themes(session: Session) -> list[Theme]:
    """Every active theme (hidden ones included: hiding is a view choice)."""
    return list(session.scalars(select(Theme).where(Theme.status == ThemeStatus.ACTIVE)))


def assignments_of(
    session: Session, *, feedback_ids: Sequence[int] | None
) -> dict[int, tuple[int, bool]]:
    """Feedback id -> (theme id, is_manual) for the scope (all when ids is None)."""
    stmt = select(ThemeAssignment.feedback_id, ThemeAssignment.theme_id, ThemeAssignment.is_manual)
    if feedback_ids is None:
        return {f: (t, m) for f, t, m in session.execute(stmt)}
    out: dict[int, tuple[int, bool]] = {}
    for chunk in _chunks(list(feedback_ids)):
        for f, t, m in session.execute(stmt.where(ThemeAssignment.feedback_id.in_(chunk))):
            out[f] = (t, m)
    return out


def members_by_theme(assignments: dict[int, tuple[int, bool]]) -> dict[int, set[int]]:
    """Theme id -> feedback ids, from an assignment map."""
    members: dict[int, set[int]] = defaultdict(set)
    for feedback_id, (theme_id, _) in assignments.items():
        members[theme_id].add(feedback_id)
    return members


def replace_machine_assignments(
    session: Session, *, feedback_ids: Sequence[int] | None, rows: Iterable[dict[str, Any]]
) -> None:
    """Drop the scope's machine assignments (manual ones stay) and insert the new ones."""
    machine = ThemeAssignment.is_manual.is_(False)
    if feedback_ids is None:
        session.execute(delete(ThemeAssignment).where(machine))
    else:
        for chunk in _chunks(list(feedback_ids)):
            session.execute(
                delete(ThemeAssignment).where(machine, ThemeAssignment.feedback_id.in_(chunk))
            )
    insert_assignments(session, rows)


def insert_assignments(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Bulk insert assignment rows in chunks (each row gets its item's ``created_at``)."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= WRITE_CHUNK:
            session.execute(insert(ThemeAssignment), _with_created_at(session, batch))
            batch = []
    if batch:
        session.execute(insert(ThemeAssignment), _with_created_at(session, batch))


def _with_created_at(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with ``feedback_created_at`` copied from their feedback items (one query a chunk)."""
    missing = [int(r["feedback_id"]) for r in rows if r.get("feedback_created_at") is None]
    created: dict[int, Any] = {}
    for chunk in _chunks(missing):
        stmt = select(Feedback.id, Feedback.created_at).where(Feedback.id.in_(chunk))
        created.update((int(i), at) for i, at in session.execute(stmt))
    if not created:
        return rows
    return [
        r
        if r.get("feedback_created_at") is not None
        else {**r, "feedback_created_at": created.get(int(r["feedback_id"]))}
        for r in rows
    ]


def update_feedback_columns(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk update of feedback columns (sentiment, kind) by primary key."""
    for start in range(0, len(rows), WRITE_CHUNK):
        session.execute(update(Feedback), list(rows[start : start + WRITE_CHUNK]))


def theme_sizes(session: Session, *, theme_ids: Sequence[int]) -> dict[int, int]:
    """Number of assigned items per theme."""
    out: dict[int, int] = {}
    for chunk in _chunks(list(theme_ids)):
        stmt = (
            select(ThemeAssignment.theme_id, func.count())
            .where(ThemeAssignment.theme_id.in_(chunk))
            .group_by(ThemeAssignment.theme_id)
        )
        out.update({t: int(c) for t, c in session.execute(stmt)})
    return out


def latest_successful_run(session: Session) -> AnalysisRun | None:
    """The newest run that finished successfully."""
    stmt = (
        select(AnalysisRun)
        .where(AnalysisRun.status == RunStatus.SUCCEEDED)
        .order_by(desc(AnalysisRun.id))
        .limit(1)
    )
    return session.scalars(stmt).first()


def list_themes(session: Session, *, include_retired: bool = False) -> list[Theme]:
    """Themes ordered by size, largest first."""
    stmt = select(Theme).order_by(desc(Theme.size), Theme.id)
    if not include_retired:
        stmt = stmt.where(Theme.status == ThemeStatus.ACTIVE)
    return list(session.scalars(stmt))


def unassigned_count(session: Session) -> int:
    """Items with text and no theme."""
    assigned = select(ThemeAssignment.feedback_id)
    stmt = select(func.count()).where(
        func.length(func.trim(Feedback.text)) > 0, Feedback.id.not_in(assigned)
    )
    return int(session.scalar(stmt.select_from(Feedback)) or 0)
