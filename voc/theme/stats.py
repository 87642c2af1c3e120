"""Per-theme aggregates: computed in SQL, stored in ``theme_stats`` after runs and curation.

The overview at 1M items reads ~300 precomputed rows; filtered views aggregate live.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, case, cast, delete, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from voc.customer.models import Account, Customer
from voc.feedback.models import Feedback
from voc.request import links as request_links
from voc.theme.models import ThemeAssignment, ThemeStats
from voc.theme.schemas import ThemeFilters
from voc.types import utcnow

UNKNOWN_SEGMENT = "unknown"
_COUNT_FIELDS = (
    "n_items", "n_positive", "n_negative", "n_neutral", "n_mixed",
    "n_promoters", "n_passives", "n_detractors",
)  # fmt: skip


@dataclass
class Aggregate:
    """Counts of one theme (mutable while being summed)."""

    n_items: int = 0
    n_positive: int = 0
    n_negative: int = 0
    n_neutral: int = 0
    n_mixed: int = 0
    n_promoters: int = 0
    n_passives: int = 0
    n_detractors: int = 0
    # sum and count of item scores (p_positive - p_negative, -1..1): their mean is the theme's
    # average sentiment score
    sentiment_sum: float = 0.0
    n_sentiment: int = 0
    weekly: dict[date, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _week_start(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", func.timezone("UTC", Feedback.created_at)), Date)
    return func.date(Feedback.created_at, "weekday 0", "-6 days")


def _conditions(
    theme_ids: Iterable[int] | None, filters: ThemeFilters | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if theme_ids is not None:
        conditions.append(ThemeAssignment.theme_id.in_(list(theme_ids)))
    if filters is None:
        return conditions
    if filters.created_from is not None:
        conditions.append(Feedback.created_at >= _aware(filters.created_from))
    if filters.created_to is not None:
        conditions.append(Feedback.created_at < _aware(filters.created_to))
    if filters.source is not None:
        conditions.append(Feedback.source == filters.source)
    if filters.segment is not None:
        in_segment = (
            select(Customer.id)
            .join(Account, Account.id == Customer.account_id)
            .where(Account.segment == filters.segment)
        )
        conditions.append(Feedback.customer_id.in_(in_segment))
    return conditions


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


def aggregate(
    session: Session,
    *,
    theme_ids: Iterable[int] | None = None,
    filters: ThemeFilters | None = None,
    feedback_ids: Sequence[int] | None = None,
) -> dict[int, Aggregate]:
    """Counts per theme (all themes when ``theme_ids`` is None), optionally filtered."""
    theme_ids = list(theme_ids) if theme_ids is not None else None
    where = _conditions(theme_ids, filters)
    if feedback_ids is not None:
        where.append(ThemeAssignment.feedback_id.in_(list(feedback_ids)))
    joined = (
        select()
        .select_from(ThemeAssignment)
        .join(Feedback, Feedback.id == ThemeAssignment.feedback_id)
    )
    totals = (
        joined.add_columns(
            ThemeAssignment.theme_id,
            func.count(),
            _count_if(Feedback.sentiment_label == "positive"),
            _count_if(Feedback.sentiment_label == "negative"),
            _count_if(Feedback.sentiment_label == "neutral"),
            _count_if(Feedback.sentiment_is_mixed.is_(True)),
            _count_if(Feedback.score >= 9),
            _count_if(Feedback.score.between(7, 8)),
            _count_if(Feedback.score <= 6),
            func.sum(Feedback.sentiment_score),
            func.count(Feedback.sentiment_score),
        )
        .where(*where)
        .group_by(ThemeAssignment.theme_id)
    )
    result: dict[int, Aggregate] = {}
    for theme_id, *values in session.execute(totals):
        agg = Aggregate()
        *counts, score_sum, n_scores = values
        for name, count in zip(_COUNT_FIELDS, counts, strict=True):
            setattr(agg, name, int(count or 0))
        agg.sentiment_sum, agg.n_sentiment = float(score_sum or 0.0), int(n_scores or 0)
        result[theme_id] = agg
    week = _week_start(session).label("week")
    weekly = (
        joined.add_columns(ThemeAssignment.theme_id, week, func.count())
        .where(*where)
        .group_by(ThemeAssignment.theme_id, week)
    )
    for theme_id, week_start, count in session.execute(weekly):
        day = week_start if isinstance(week_start, date) else date.fromisoformat(str(week_start))
        result[theme_id].weekly[day] = int(count)
    _add_segments(session, result, where)
    _add_kinds(session, result, where)
    return result


def _add_kinds(
    session: Session, result: dict[int, Aggregate], where: list[ColumnElement[bool]]
) -> None:
    query = (
        select(ThemeAssignment.theme_id, Feedback.kind, func.count())
        .select_from(ThemeAssignment)
        .join(Feedback, Feedback.id == ThemeAssignment.feedback_id)
        .where(*where, Feedback.kind.is_not(None))
        .group_by(ThemeAssignment.theme_id, Feedback.kind)
    )
    for theme_id, kind, count in session.execute(query):
        result[theme_id].kinds[str(kind)] = int(count)


def _add_segments(
    session: Session, result: dict[int, Aggregate], where: list[ColumnElement[bool]]
) -> None:
    segment = func.coalesce(Account.segment, UNKNOWN_SEGMENT).label("segment")
    query = (
        select(ThemeAssignment.theme_id, segment, func.count())
        .select_from(ThemeAssignment)
        .join(Feedback, Feedback.id == ThemeAssignment.feedback_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(Account, Account.id == Customer.account_id)
        .where(*where)
        .group_by(ThemeAssignment.theme_id, segment)
    )
    for theme_id, name, count in session.execute(query):
        result[theme_id].segments[str(name)] = int(count)


def refresh(session: Session, *, theme_ids: Iterable[int] | None = None) -> int:
    """Recompute stored stats (of some themes, or all); returns the number of rows written."""
    theme_ids = sorted(set(theme_ids)) if theme_ids is not None else None
    fresh = aggregate(session, theme_ids=theme_ids)
    stale = delete(ThemeStats)
    if theme_ids is not None:
        stale = stale.where(ThemeStats.theme_id.in_(theme_ids))
    session.execute(stale)
    now = utcnow()
    rows = [
        {
            "theme_id": theme_id,
            **{k: v for k, v in vars(agg).items() if k not in {"weekly", "segments", "kinds"}},
            "weekly": [[d.isoformat(), n] for d, n in sorted(agg.weekly.items())],
            "segments": agg.segments,
            "kinds": agg.kinds,
            "computed_at": now,
        }
        for theme_id, agg in fresh.items()
    ]
    if rows:
        session.execute(insert(ThemeStats), rows)
    session.flush()
    # the requests confirming these themes store their evidence: keep it in step
    request_links.themes_changed(session, theme_ids=theme_ids)
    return len(rows)


def add_new_items(session: Session, *, feedback_ids: Sequence[int]) -> int:
    """Add items assigned since their theme's stats were computed; returns the themes changed.

    A single create must not re-aggregate a theme of 80k items (1.3 s at 1M items): the new
    items' counts are added to the stored row. Items assigned before the row was computed are
    already in it, so a job delivered twice counts nothing twice. A theme without stored stats
    gets a full refresh.

    The row is then dated by the newest assignment it adds, not by the clock: the requests
    confirming the theme took these items into their stored evidence in the transaction that
    assigned them (``voc.request.evidence.add_new_items``, after the assignment), and a theme
    row dated later than theirs would mark their evidence stale although nothing is missing.
    """
    if not feedback_ids:
        return 0
    assigned = session.execute(
        select(
            ThemeAssignment.feedback_id, ThemeAssignment.theme_id, ThemeAssignment.assigned_at
        ).where(ThemeAssignment.feedback_id.in_(list(feedback_ids)))
    ).all()
    theme_ids = sorted({theme_id for _, theme_id, _ in assigned})
    if not theme_ids:
        return 0
    locked = select(ThemeStats).where(ThemeStats.theme_id.in_(theme_ids))
    if session.get_bind().dialect.name == "postgresql":
        locked = locked.with_for_update()
    stored = {row.theme_id: row for row in session.scalars(locked)}
    missing = [t for t in theme_ids if t not in stored]
    fresh = [
        (feedback_id, theme_id, _aware(at))
        for feedback_id, theme_id, at in assigned
        if theme_id in stored and _aware(at) > _aware(stored[theme_id].computed_at)
    ]
    newest: dict[int, datetime] = {}
    for _, theme_id, at in fresh:
        newest[theme_id] = max(newest.get(theme_id, at), at)
    added = aggregate(session, feedback_ids=[f for f, _, _ in fresh]) if fresh else {}
    for theme_id, agg in added.items():
        _add_to(stored[theme_id], agg, newest[theme_id])
    if missing:
        refresh(session, theme_ids=missing)
    session.flush()
    return len(theme_ids)


def _add_to(row: ThemeStats, agg: Aggregate, as_of: datetime) -> None:
    """Add the counts of newly assigned items; the row then holds every assignment to ``as_of``."""
    for name in _COUNT_FIELDS:
        setattr(row, name, getattr(row, name) + getattr(agg, name))
    row.sentiment_sum += agg.sentiment_sum
    row.n_sentiment += agg.n_sentiment
    weekly = {str(week): int(n) for week, n in row.weekly}
    for day, n in agg.weekly.items():
        weekly[day.isoformat()] = weekly.get(day.isoformat(), 0) + n
    row.weekly = [[week, n] for week, n in sorted(weekly.items())]
    segments = dict(row.segments)
    for name, n in agg.segments.items():
        segments[name] = segments.get(name, 0) + n
    row.segments = segments
    kinds = dict(row.kinds or {})
    for name, n in agg.kinds.items():
        kinds[name] = kinds.get(name, 0) + n
    row.kinds = kinds
    row.computed_at = as_of


def from_stored(row: ThemeStats) -> Aggregate:
    """The stored stats of one theme as an :class:`Aggregate`."""
    return Aggregate(
        n_items=row.n_items,
        n_positive=row.n_positive,
        n_negative=row.n_negative,
        n_neutral=row.n_neutral,
        n_mixed=row.n_mixed,
        n_promoters=row.n_promoters,
        n_passives=row.n_passives,
        n_detractors=row.n_detractors,
        sentiment_sum=row.sentiment_sum,
        n_sentiment=row.n_sentiment,
        weekly={date.fromisoformat(str(d)): int(n) for d, n in row.weekly},
        segments={str(k): int(v) for k, v in row.segments.items()},
        kinds={str(k): int(v) for k, v in (row.kinds or {}).items()},
    )


def combine(aggregates: Iterable[Aggregate]) -> Aggregate:
    """The sum of several themes' counts (a parent theme's stats from its themes)."""
    out = Aggregate()
    for agg in aggregates:
        for name in _COUNT_FIELDS:
            setattr(out, name, getattr(out, name) + getattr(agg, name))
        out.sentiment_sum += agg.sentiment_sum
        out.n_sentiment += agg.n_sentiment
        for week, n in agg.weekly.items():
            out.weekly[week] = out.weekly.get(week, 0) + n
        for target, source in ((out.segments, agg.segments), (out.kinds, agg.kinds)):
            for key, n in source.items():
                target[key] = target.get(key, 0) + n
    return out
