"""Pure helpers that shape service results for the templates (filters, series, sorting)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from voc.errors import InvalidInput
from voc.feedback.models import Source
from voc.feedback.schemas import FeedbackFilters
from voc.theme.schemas import ParentSummary, ThemeFilters, ThemeSummary, TrendPoint

SPARK_WEEKS = 12
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class PageFilters:
    """The GET filters shared by overview, detail and explorer (as typed by the user)."""

    start: str | None = None
    end: str | None = None
    source: str | None = None
    segment: str | None = None

    def created_range(self) -> tuple[datetime | None, datetime | None]:
        """The date range as aware datetimes; ``end`` is inclusive (up to the end of that day)."""
        start = _parse_day(self.start, "start")
        end = _parse_day(self.end, "end")
        if start and end and start > end:
            raise InvalidInput("start: the 'From' date is after the 'To' date")
        start_at = datetime.combine(start, time.min, tzinfo=UTC) if start else None
        end_at = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) if end else None
        return start_at, end_at

    def theme_filters(self) -> ThemeFilters:
        """The same filters as the theme read side takes them."""
        start_at, end_at = self.created_range()
        return ThemeFilters(
            created_from=start_at, created_to=end_at, source=self.source, segment=self.segment
        )

    def feedback_filters(
        self, *, theme_id: int | None, sentiment: str | None, kind: str | None = None
    ) -> FeedbackFilters:
        """The same filters, with a theme, a sentiment and a kind, as the read side takes them."""
        start_at, end_at = self.created_range()
        return FeedbackFilters(
            source=self.source,
            created_from=start_at,
            created_to=end_at,
            theme_id=theme_id,
            sentiment=sentiment,
            kind=kind,
            segment=self.segment,
        )

    def as_params(self) -> dict[str, str]:
        """Non-empty filters as query parameters (for links that keep them)."""
        pairs = {"start": self.start, "end": self.end, "source": self.source}
        pairs["segment"] = self.segment
        return {k: v for k, v in pairs.items() if v}


def _parse_day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field}: {value!r} is not a date like 2024-03-31") from None


def page_filters(
    start: str | None, end: str | None, source: str | None, segment: str | None
) -> PageFilters:
    """Validate raw query parameters (empty strings mean 'no filter')."""
    source = source or None
    if source is not None and source not in {s.value for s in Source}:
        choices = ", ".join(s.value for s in Source)
        raise InvalidInput(f"source: {source!r} is not one of {choices}")
    filters = PageFilters(start or None, end or None, source, (segment or "").strip() or None)
    filters.created_range()
    return filters


def weekly_series(points: Sequence[TrendPoint], *, last_week: date, weeks: int) -> list[int]:
    """Counts for the ``weeks`` ISO weeks ending with ``last_week`` (missing weeks are 0)."""
    return _series_over(points, _week_range(last_week, weeks))


def _week_range(last_week: date, weeks: int) -> list[date]:
    first = last_week - timedelta(weeks=weeks - 1)
    return [first + timedelta(weeks=i) for i in range(weeks)]


def _series_over(points: Sequence[TrendPoint], weeks: Sequence[date]) -> list[int]:
    if len(points) == len(weeks) and all(p.week == w for p, w in zip(points, weeks, strict=True)):
        return [p.count for p in points]  # the overview's trends already span these weeks
    by_week = {p.week: p.count for p in points}
    return [by_week.get(week, 0) for week in weeks]


def last_week_of(themes: Sequence[ThemeSummary]) -> date | None:
    """The newest week any theme has items in (the common right edge of every sparkline)."""
    weeks = [p.week for t in themes for p in t.trend]
    return max(weeks) if weeks else None


@dataclass(frozen=True)
class ThemeRow:
    """One overview row: the summary, its sparkline series and its trend change."""

    theme: ThemeSummary
    series: list[int]
    momentum: float | None


SORT_KEYS: dict[str, Callable[[ThemeRow], Any]] = {
    "size": lambda r: r.theme.size,
    "share": lambda r: r.theme.share,
    "trend": lambda r: (r.momentum is not None, r.momentum or 0.0),
    "negative": lambda r: (r.theme.negative_share is not None, r.theme.negative_share or 0.0),
    "nps": lambda r: (r.theme.nps is not None, r.theme.nps or 0.0),
    "avg_sentiment": lambda r: (r.theme.avg_sentiment is not None, r.theme.avg_sentiment or 0.0),
    "label": lambda r: r.theme.label.casefold(),
}


def theme_rows(themes: Sequence[ThemeSummary], *, sort: str, direction: str) -> list[ThemeRow]:
    """Rows with 12-week series, sorted (ties broken by size, then id for stability)."""
    last = last_week_of(themes)
    weeks = _week_range(last, SPARK_WEEKS) if last else []
    rows = []
    for theme in themes:
        series = _series_over(theme.trend, weeks) if last else []
        rows.append(ThemeRow(theme, series, theme.trend_change))
    key = SORT_KEYS.get(sort, SORT_KEYS["size"])
    rows.sort(key=lambda r: (-r.theme.size, r.theme.id))
    rows.sort(key=key, reverse=direction != "asc")
    return rows


@dataclass(frozen=True)
class ParentRow:
    """One parent theme of the overview: the summary, its sparkline series, trend change."""

    theme: ParentSummary
    series: list[int]
    momentum: float | None


def parent_rows(
    parents: Sequence[ParentSummary], *, last: date | None, sort: str, direction: str
) -> list[ParentRow]:
    """Parent rows sorted like theme rows, their series ending with the themes' last week."""
    weeks = _week_range(last, SPARK_WEEKS) if last else []
    rows = [ParentRow(p, _series_over(p.trend, weeks) if last else [], p.trend_change)
            for p in parents]  # fmt: skip
    key = SORT_KEYS.get(sort, SORT_KEYS["size"])
    rows.sort(key=lambda r: (-r.theme.size, r.theme.id))
    rows.sort(key=key, reverse=direction != "asc")  # type: ignore[arg-type]
    return rows


def series_for_chart(points: Sequence[TrendPoint]) -> tuple[list[str], list[int]]:
    """Every week from the first to the last item (gaps as 0) with short labels."""
    if not points:
        return [], []
    first, last = min(p.week for p in points), max(p.week for p in points)
    weeks = (last - first).days // 7 + 1
    counts = weekly_series(points, last_week=last, weeks=weeks)
    labels = [(first + timedelta(weeks=i)).strftime("%d %b %y") for i in range(weeks)]
    return labels, counts
