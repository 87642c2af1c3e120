"""Read side of themes: overview with stats, detail, items, similar themes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, timedelta
from typing import Literal, TypedDict

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from nlp.kinds import KINDS
from voc.errors import NotFound
from voc.feedback import queries as feedback_queries
from voc.feedback.models import Feedback
from voc.feedback.schemas import FeedbackFilters, FeedbackPage, FeedbackRead
from voc.theme import stats as theme_stats
from voc.theme import trend as theme_trend
from voc.theme.models import Theme, ThemeAssignment, ThemeParent, ThemeStats, ThemeStatus
from voc.theme.schemas import (
    KindCount,
    ParentDetail,
    ParentList,
    ParentSummary,
    Quote,
    SegmentCount,
    SentimentMix,
    SimilarTheme,
    ThemeDetail,
    ThemeFilters,
    ThemeList,
    ThemeSummary,
    TrendPoint,
    TrendWindow,
)

SortKey = Literal["size", "share", "nps", "negative_share", "avg_sentiment", "label", "trend"]
TREND_WEEKS = 12
N_QUOTES = 5
N_REPRESENTATIVE = 200  # negative quotes are picked among this many items closest to the centre
N_SIMILAR = 5
OVERVIEW_CACHE_SIZE = 4
_overview_lock = threading.Lock()
_overview_cache: dict[tuple[object, ...], ThemeList] = {}
DETAIL_CACHE_SIZE = 512
_detail_lock = threading.Lock()
_detail_cache: OrderedDict[tuple[object, ...], ThemeDetail] = OrderedDict()
_totals_lock = threading.Lock()
_totals_cache: dict[tuple[object, ...], tuple[int, dict[date, int]]] = {}
_choices_lock = threading.Lock()
_choices_cache: dict[tuple[object, ...], list[tuple[int, str]]] = {}
_similar_lock = threading.Lock()
_similar_cache: dict[tuple[object, ...], list[tuple[int, str, npt.NDArray[np.float32]]]] = {}


def _weeks(last_week: date | None, weeks: int) -> list[date]:
    if last_week is None:
        return []
    start = last_week - timedelta(weeks=weeks - 1)
    return [start + timedelta(weeks=i) for i in range(weeks)]


def _trend(weekly: dict[date, int], weeks: list[date]) -> list[TrendPoint]:
    # model_construct: the values are already typed; the overview builds ~300 x 12 points.
    return [TrendPoint.model_construct(week=w, count=weekly.get(w, 0)) for w in weeks]


def _summary(
    theme: Theme,
    agg: theme_stats.Aggregate,
    total: int,
    weeks: list[date],
    window: TrendWindow | None,
    parent_labels: dict[int, str] | None = None,
) -> ThemeSummary:
    parent_labels = parent_labels or {}
    parent_id = theme.parent_id if theme.parent_id in parent_labels else None
    return ThemeSummary(
        id=theme.id,
        label=theme.label,
        machine_label=theme.machine_label,
        human_label=theme.human_label,
        status=theme.status,
        is_hidden=theme.is_hidden,
        merged_into_id=theme.merged_into_id,
        keywords=list(theme.keywords or []),
        parent_id=parent_id,
        parent_label=parent_labels.get(parent_id) if parent_id is not None else None,
        **_stat_fields(agg, total, weeks, window),
    )


class _StatFields(TypedDict):
    size: int
    share: float
    trend: list[TrendPoint]
    trend_change: float | None
    trend_significant: bool | None
    sentiment: SentimentMix
    negative_share: float | None
    avg_sentiment: float | None
    nps: float | None
    n_scored: int


def _stat_fields(
    agg: theme_stats.Aggregate, total: int, weeks: list[date], window: TrendWindow | None
) -> _StatFields:
    """Size, share, trend, sentiment and NPS of a theme or a parent from its counts."""
    trend = _trend(agg.weekly, weeks)
    n_scored = agg.n_promoters + agg.n_passives + agg.n_detractors
    n_labelled = agg.n_positive + agg.n_negative + agg.n_neutral
    trend_change, trend_significant = theme_trend.assess(trend, window)
    return {
        "size": agg.n_items,
        "share": agg.n_items / total if total else 0.0,
        "trend": trend,
        "trend_change": trend_change,
        "trend_significant": trend_significant,
        "sentiment": SentimentMix(
            positive=agg.n_positive,
            negative=agg.n_negative,
            neutral=agg.n_neutral,
            mixed=agg.n_mixed,
        ),
        "negative_share": agg.n_negative / n_labelled if n_labelled else None,
        "avg_sentiment": agg.sentiment_sum / agg.n_sentiment if agg.n_sentiment else None,
        "nps": 100.0 * (agg.n_promoters - agg.n_detractors) / n_scored if n_scored else None,
        "n_scored": n_scored,
    }


def _sort_key(key: SortKey) -> object:
    if key == "label":
        return lambda s: s.label.casefold()
    if key == "trend":
        return lambda s: (s.trend_change is not None, s.trend_change or 0.0)
    if key == "nps":
        return lambda s: s.nps if s.nps is not None else float("inf")
    if key == "negative_share":
        return lambda s: s.negative_share if s.negative_share is not None else -1.0
    if key == "avg_sentiment":
        return lambda s: s.avg_sentiment if s.avg_sentiment is not None else float("inf")
    return lambda s: getattr(s, key)


def _stats_for(
    session: Session, ids: list[int], filters: ThemeFilters
) -> dict[int, theme_stats.Aggregate]:
    if not filters.is_empty:
        return theme_stats.aggregate(session, theme_ids=ids, filters=filters)
    rows = session.scalars(select(ThemeStats).where(ThemeStats.theme_id.in_(ids))).all()
    return {row.theme_id: theme_stats.from_stored(row) for row in rows}


def _fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever stored stats or any theme row change (runs, curation, new items)."""
    stats = session.execute(select(func.count(), func.max(ThemeStats.computed_at))).one()
    themes = session.execute(select(func.count(), func.max(Theme.updated_at))).one()
    parents = session.execute(select(func.count(), func.max(ThemeParent.updated_at))).one()
    return (session.get_bind().engine.url, *stats, *themes, *parents)


def list_themes(
    session: Session,
    *,
    filters: ThemeFilters | None = None,
    include_hidden: bool = False,
    sort: SortKey = "size",
    descending: bool = True,
) -> ThemeList:
    """Active themes with size, share, 12-week trend, sentiment mix and NPS, sorted."""
    filters = filters or ThemeFilters()
    listing: ThemeList | None = None
    if not filters.is_empty:
        listing = _build_list(session, filters, include_hidden)
    else:
        # The unfiltered overview is the same until stats or themes change: build it once.
        key = (_fingerprint(session), include_hidden)
        with _overview_lock:
            listing = _overview_cache.get(key)
        if listing is None:
            listing = _build_list(session, filters, include_hidden)
            with _overview_lock:
                while len(_overview_cache) >= OVERVIEW_CACHE_SIZE:
                    del _overview_cache[next(iter(_overview_cache))]
                _overview_cache[key] = listing
    order = _sort_key(sort)
    summaries = sorted(listing.themes, key=order, reverse=descending)  # type: ignore[call-overload]
    return listing.model_copy(update={"themes": summaries})


def _build_list(session: Session, filters: ThemeFilters, include_hidden: bool) -> ThemeList:
    themes = list(
        session.scalars(
            select(Theme)
            .where(Theme.status == ThemeStatus.ACTIVE)
            .options(defer(Theme.centroid), defer(Theme.representative_ids))
            .order_by(Theme.id)  # ties in any sort stay in id order
        )
    )
    aggregates = _stats_for(session, [t.id for t in themes], filters)
    total = sum(a.n_items for a in aggregates.values())
    last_weeks = [max(a.weekly) for a in aggregates.values() if a.weekly]
    last_week = max(last_weeks) if last_weeks else None
    weeks = _weeks(last_week, TREND_WEEKS)
    # every theme's share trend divides by the themed items per week in view
    window = theme_trend.window_ending(last_week, theme_stats.combine(aggregates.values()).weekly)
    visible = [t for t in themes if include_hidden or not t.is_hidden]
    empty = theme_stats.Aggregate()
    labels = _parent_labels(session)
    summaries = [
        _summary(t, aggregates.get(t.id, empty), total, weeks, window, labels) for t in visible
    ]
    return ThemeList(
        themes=summaries,
        total_items=total,
        n_hidden=sum(1 for t in themes if t.is_hidden),
        is_filtered=not filters.is_empty,
        trend_window=window,
    )


def _active_parents(session: Session) -> list[ThemeParent]:
    return list(
        session.scalars(
            select(ThemeParent)
            .where(ThemeParent.status == ThemeStatus.ACTIVE)
            .options(defer(ThemeParent.centroid))
            .order_by(ThemeParent.id)
        )
    )


def _parent_labels(session: Session) -> dict[int, str]:
    return {p.id: p.label for p in _active_parents(session)}


def _parent_summary(
    parent: ThemeParent,
    themes: list[ThemeSummary],
    aggregates: dict[int, theme_stats.Aggregate],
    total: int,
    weeks: list[date],
    window: TrendWindow | None,
) -> ParentSummary:
    agg = theme_stats.combine(aggregates[t.id] for t in themes if t.id in aggregates)
    return ParentSummary(
        id=parent.id,
        label=parent.label,
        machine_label=parent.machine_label,
        human_label=parent.human_label,
        status=parent.status,
        merged_into_id=parent.merged_into_id,
        keywords=list(parent.keywords or []),
        theme_ids=[t.id for t in themes],
        **_stat_fields(agg, total, weeks, window),
    )


def list_parents(
    session: Session,
    *,
    filters: ThemeFilters | None = None,
    include_hidden: bool = False,
    sort: SortKey = "size",
    descending: bool = True,
) -> ParentList:
    """Parent themes with the summed stats of their themes, each with its themes folded in.

    A parent's size, sentiment, trend and NPS are those of the themes shown under it (hidden
    themes count only with ``include_hidden``). Themes not grouped yet (before the first run
    that builds parents) are listed under the key 0.
    """
    filters = filters or ThemeFilters()
    listing = list_themes(
        session, filters=filters, include_hidden=include_hidden, sort=sort, descending=descending
    )
    parents = _active_parents(session)
    aggregates = _stats_for(session, [t.id for t in listing.themes], filters)
    weeks = [p.week for p in listing.themes[0].trend] if listing.themes else []
    by_parent: dict[int, list[ThemeSummary]] = {p.id: [] for p in parents}
    for summary in listing.themes:
        by_parent.setdefault(summary.parent_id or 0, []).append(summary)
    summaries = [
        _parent_summary(
            p, by_parent[p.id], aggregates, listing.total_items, weeks, listing.trend_window
        )
        for p in parents
        if by_parent[p.id]
    ]
    order = _sort_key(sort)
    summaries = sorted(summaries, key=order, reverse=descending)  # type: ignore[call-overload]
    return ParentList(
        parents=summaries,
        themes={k: v for k, v in by_parent.items() if v},
        total_items=listing.total_items,
        n_hidden=listing.n_hidden,
        is_filtered=listing.is_filtered,
        trend_window=listing.trend_window,
    )


def get_parent_or_raise(session: Session, parent_id: int) -> ThemeParent:
    """The parent theme row, or NotFound."""
    parent = session.get(ThemeParent, parent_id)
    if parent is None:
        raise NotFound(f"parent theme {parent_id} does not exist")
    return parent


def get_parent_detail(session: Session, parent_id: int) -> ParentDetail:
    """A parent theme with the summed stats of its shown themes and those themes by size."""
    parent = get_parent_or_raise(session, parent_id)
    listing = list_themes(session)
    themes = [t for t in listing.themes if t.parent_id == parent.id]
    rows = session.scalars(
        select(ThemeStats).where(ThemeStats.theme_id.in_([t.id for t in themes]))
    ).all()
    aggregates = {row.theme_id: theme_stats.from_stored(row) for row in rows}
    weeks = [p.week for p in listing.themes[0].trend] if listing.themes else []
    summary = _parent_summary(
        parent, themes, aggregates, listing.total_items, weeks, listing.trend_window
    )
    return ParentDetail(
        **summary.model_dump(),
        themes=themes,
        created_run_id=parent.created_run_id,
        last_run_id=parent.last_run_id,
        human_edited_at=parent.human_edited_at,
        human_edited_by=parent.human_edited_by,
    )


def parent_choices(session: Session) -> list[tuple[int, str]]:
    """(id, label) of every active parent theme, by label (what editors pick)."""
    choices = [(p.id, p.label) for p in _active_parents(session)]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def theme_choices(session: Session) -> list[tuple[int, str]]:
    """(id, label) of every active theme, hidden ones included, by label (what editors pick)."""
    key = _themes_version(session)
    with _choices_lock:
        cached = _choices_cache.get(key)
    if cached is None:
        rows = session.execute(
            select(Theme.id, Theme.human_label, Theme.machine_label)
            .where(Theme.status == ThemeStatus.ACTIVE)
            .order_by(Theme.id)
        )
        choices = [(theme_id, human or machine) for theme_id, human, machine in rows]
        cached = sorted(choices, key=lambda choice: choice[1].casefold())
        with _choices_lock:
            _choices_cache.clear()  # only the newest version is ever asked for again
            _choices_cache[key] = cached
    return list(cached)


def get_theme_or_raise(session: Session, theme_id: int) -> Theme:
    """The theme row, or NotFound."""
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(f"theme {theme_id} does not exist")
    return theme


def _quotes(session: Session, theme: Theme) -> list[Quote]:
    ids = [int(i) for i in (theme.representative_ids or [])][: N_QUOTES * 2]
    items = feedback_queries.by_ids(session, ids)
    chosen = [items[i] for i in ids if i in items and items[i].theme_id == theme.id][:N_QUOTES]
    if len(chosen) < N_QUOTES:
        top = session.scalars(
            select(ThemeAssignment.feedback_id)
            .where(ThemeAssignment.theme_id == theme.id)
            .order_by(ThemeAssignment.confidence.desc(), ThemeAssignment.feedback_id)
            .limit(N_QUOTES * 2)
        ).all()
        more = feedback_queries.by_ids(session, [i for i in top if i not in ids])
        chosen += [more[i] for i in top if i in more][: N_QUOTES - len(chosen)]
    return [_quote(q) for q in chosen]


def _negative_quotes(session: Session, theme_id: int) -> list[Quote]:
    """The most negative items among the theme's most representative ones, worst first."""
    representative = (
        select(ThemeAssignment.feedback_id)
        .where(ThemeAssignment.theme_id == theme_id)
        .order_by(ThemeAssignment.confidence.desc(), ThemeAssignment.feedback_id)
        .limit(N_REPRESENTATIVE)
        .scalar_subquery()
    )
    ids = session.scalars(
        select(Feedback.id)
        .where(Feedback.id.in_(representative), Feedback.sentiment_label == "negative")
        .order_by(Feedback.sentiment_score, Feedback.id)
        .limit(N_QUOTES)
    ).all()
    items = feedback_queries.by_ids(session, list(ids))
    return [_quote(items[i]) for i in ids if i in items]


def _quote(q: FeedbackRead) -> Quote:
    return Quote(
        feedback_id=q.id,
        text=q.text,
        source=q.source,
        score=q.score,
        created_at=q.created_at,
        sentiment_label=q.sentiment_label,
        sentiment_score=q.sentiment_score,
        sentiment_is_mixed=q.sentiment_is_mixed,
    )


def _vector(blob: bytes | None) -> npt.NDArray[np.float32] | None:
    if not blob:
        return None
    vector = np.frombuffer(blob, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else None


def _themes_version(session: Session) -> tuple[object, ...]:
    """Changes whenever a theme row changes (each write moves ``updated_at``)."""
    count, last = session.execute(select(func.count(), func.max(Theme.updated_at))).one()
    return (session.get_bind().engine.url, count, last)


def _visible_centroids(session: Session) -> list[tuple[int, str, npt.NDArray[np.float32]]]:
    """(id, label, unit centroid) of the visible active themes, read once per themes version."""
    key = _themes_version(session)
    with _similar_lock:
        cached = _similar_cache.get(key)
    if cached is None:
        rows = session.execute(
            select(Theme.id, Theme.human_label, Theme.machine_label, Theme.centroid)
            .where(Theme.status == ThemeStatus.ACTIVE, Theme.is_hidden.is_(False))
            .order_by(Theme.id)
        )
        cached = [
            (theme_id, human or machine, vector)
            for theme_id, human, machine, blob in rows
            if (vector := _vector(blob)) is not None
        ]
        with _similar_lock:
            _similar_cache.clear()  # only the newest version is ever asked for again
            _similar_cache[key] = cached
    return cached


def similar_themes(session: Session, *, theme_id: int, k: int = N_SIMILAR) -> list[SimilarTheme]:
    """Visible active themes whose centroids are closest (cosine) to this theme's."""
    theme = get_theme_or_raise(session, theme_id)
    target = _vector(theme.centroid)
    if target is None:
        return []
    scored = [
        (float(vector @ target), other_id, label)
        for other_id, label, vector in _visible_centroids(session)
        if other_id != theme_id and vector.shape == target.shape
    ]
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [SimilarTheme(id=i, label=label, similarity=round(s, 4)) for s, i, label in scored[:k]]


def _active_totals(session: Session, key: tuple[object, ...]) -> tuple[int, dict[date, int]]:
    """Items of the active themes, in all and per week: once per stats fingerprint.

    Every theme detail divides by them (its share and its share trend); reading every theme's
    weekly counts costs about 15 ms at 300 themes of 100 weeks, so they are kept until the
    stats move (``key``: the stats fingerprint the caller already read).
    """
    with _totals_lock:
        cached = _totals_cache.get(key)
    if cached is not None:
        return cached
    totals: dict[date, int] = {}
    total = 0
    for n_items, weekly in session.execute(
        select(ThemeStats.n_items, ThemeStats.weekly)
        .join(Theme)
        .where(Theme.status == ThemeStatus.ACTIVE)
    ):
        total += int(n_items or 0)
        for week, count in weekly or []:
            day = date.fromisoformat(str(week))
            totals[day] = totals.get(day, 0) + int(count)
    with _totals_lock:
        _totals_cache.clear()  # one fingerprint is current at a time
        _totals_cache[key] = (total, totals)
    return total, totals


def get_detail(session: Session, theme_id: int) -> ThemeDetail:
    """A theme with quotes, trend, segments, kind mix and similar themes; NotFound if none.

    Everything shown comes from the theme rows and the stored stats, so a detail is built once
    per (theme, stats + themes fingerprint): any run, curation step or new item moves the
    fingerprint (new items refresh their theme's stats), and the next read rebuilds it.
    """
    key = (_fingerprint(session), theme_id)
    with _detail_lock:
        cached = _detail_cache.get(key)
        if cached is not None:
            _detail_cache.move_to_end(key)
            return cached
    detail = _build_detail(session, theme_id, key[0])
    with _detail_lock:
        _detail_cache[key] = detail
        while len(_detail_cache) > DETAIL_CACHE_SIZE:
            _detail_cache.popitem(last=False)
    return detail


def _build_detail(session: Session, theme_id: int, fingerprint: tuple[object, ...]) -> ThemeDetail:
    theme = get_theme_or_raise(session, theme_id)
    stored = session.get(ThemeStats, theme_id)
    agg = theme_stats.from_stored(stored) if stored else theme_stats.Aggregate()
    total, totals = _active_totals(session, fingerprint)
    last_week = max(agg.weekly) if agg.weekly else None
    first_week = min(agg.weekly) if agg.weekly else None
    n_weeks = ((last_week - first_week).days // 7 + 1) if last_week and first_week else 0
    # this theme's own newest week; its share of all active themes' items in those weeks
    window = theme_trend.window_ending(last_week, totals)
    summary = _summary(
        theme, agg, int(total or 0), _weeks(last_week, n_weeks), window, _parent_labels(session)
    )
    segments = [
        SegmentCount(segment=name, count=count, share=count / agg.n_items if agg.n_items else 0.0)
        for name, count in sorted(agg.segments.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    n_kinds = sum(agg.kinds.values())
    kinds = [
        KindCount(kind=k, count=agg.kinds.get(k, 0), share=agg.kinds.get(k, 0) / max(n_kinds, 1))
        for k in KINDS
    ]
    return ThemeDetail(
        **summary.model_dump(),
        human_description=theme.human_description,
        trend_window=window,
        quotes=_quotes(session, theme),
        negative_quotes=_negative_quotes(session, theme_id),
        segments=segments,
        kinds=kinds,
        similar=similar_themes(session, theme_id=theme_id),
        created_run_id=theme.created_run_id,
        last_run_id=theme.last_run_id,
        human_edited_at=theme.human_edited_at,
        human_edited_by=theme.human_edited_by,
    )


def list_items(
    session: Session,
    *,
    theme_id: int,
    filters: FeedbackFilters | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> FeedbackPage:
    """Items of a theme, newest first, with the feedback filters and cursor pagination."""
    get_theme_or_raise(session, theme_id)
    base = filters or FeedbackFilters()
    scoped = FeedbackFilters(**{**vars(base), "theme_id": theme_id})
    return feedback_queries.list_feedback(session, filters=scoped, cursor=cursor, limit=limit)
