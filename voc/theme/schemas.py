"""Schemas of themes: summaries with stats, detail, curation history, analysis runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class TrendPoint(BaseModel):
    """Items of a theme created in the ISO week starting on ``week``."""

    week: date
    count: int


class TrendWindow(BaseModel):
    """The weeks a trend compares: the latest ``weeks`` of the data in view and those before.

    The recent window ends with the week of the newest item the filters allow, not with today.
    A theme's ``trend_change`` compares its share of the themed items in the two windows.
    """

    weeks: int
    recent_from: date
    recent_to: date
    previous_from: date
    previous_to: date
    # themed items in view in each window: with them a trend compares shares (voc.theme.trend)
    recent_total: int | None = None
    previous_total: int | None = None


class SentimentMix(BaseModel):
    """Items per sentiment label (``mixed`` counts items flagged mixed, of any label)."""

    positive: int = 0
    negative: int = 0
    neutral: int = 0
    mixed: int = 0


class ThemeSummary(BaseModel):
    """A theme with its stats, as the overview lists it."""

    id: int
    label: str
    machine_label: str
    human_label: str | None
    status: str
    is_hidden: bool
    merged_into_id: int | None
    keywords: list[str]
    size: int
    share: float
    trend: list[TrendPoint]
    # the theme's share of the themed items in the recent trend window against the previous
    # one (ThemeList.trend_window), and whether that change is beyond chance (95%)
    trend_change: float | None = None
    trend_significant: bool | None = None
    sentiment: SentimentMix
    negative_share: float | None
    # mean item score (p_positive - p_negative, -1..1) over the items that have one
    avg_sentiment: float | None
    nps: float | None
    n_scored: int
    # the parent theme this theme sits under (None before the first run that groups themes)
    parent_id: int | None = None
    parent_label: str | None = None


class ParentSummary(BaseModel):
    """A parent theme with the stats of its (shown) themes summed, as the overview lists it."""

    id: int
    label: str
    machine_label: str
    human_label: str | None
    status: str
    merged_into_id: int | None
    keywords: list[str]
    size: int
    share: float
    trend: list[TrendPoint]
    trend_change: float | None = None
    trend_significant: bool | None = None
    sentiment: SentimentMix
    negative_share: float | None
    avg_sentiment: float | None
    nps: float | None
    n_scored: int
    theme_ids: list[int]


class ParentList(BaseModel):
    """Parent themes with stats, each with its themes (sorted as asked) folded in."""

    parents: list[ParentSummary]
    # the themes of each parent, in the listing's sort order: parent id -> summaries
    themes: dict[int, list[ThemeSummary]]
    total_items: int
    n_hidden: int
    is_filtered: bool
    trend_window: TrendWindow | None = None


class ParentDetail(ParentSummary):
    """A parent theme with its themes and its lineage."""

    themes: list[ThemeSummary]
    created_run_id: int | None
    last_run_id: int | None
    human_edited_at: datetime | None
    human_edited_by: str | None


class ThemeList(BaseModel):
    """Themes with stats; ``total_items`` is the denominator of ``share``."""

    themes: list[ThemeSummary]
    total_items: int
    n_hidden: int
    is_filtered: bool
    trend_window: TrendWindow | None = None


class Quote(BaseModel):
    """A representative item of a theme, with its sentiment."""

    feedback_id: int
    text: str
    source: str
    score: int | None
    created_at: datetime
    sentiment_label: str | None
    sentiment_score: float | None
    sentiment_is_mixed: bool | None = None


class SegmentCount(BaseModel):
    """Items of a theme from one account segment."""

    segment: str
    count: int
    share: float


class KindCount(BaseModel):
    """Items of a theme of one kind (request, bug, praise, question, other)."""

    kind: str
    count: int
    share: float  # of the theme's items that have a kind


class SimilarTheme(BaseModel):
    """Another theme close to this one (cosine of centroids)."""

    id: int
    label: str
    similarity: float


class ThemeDetail(ThemeSummary):
    """A theme with quotes, its whole trend, segments, kind mix and similar themes."""

    human_description: str | None
    trend_window: TrendWindow | None = None  # ends with this theme's newest week
    quotes: list[Quote]
    # the most negative of the theme's representative items (closest to its centre), worst first
    negative_quotes: list[Quote]
    segments: list[SegmentCount]
    # every kind in nlp.kinds.KINDS order, zeros included ("the requests inside this theme")
    kinds: list[KindCount]
    similar: list[SimilarTheme]
    created_run_id: int | None
    last_run_id: int | None
    human_edited_at: datetime | None
    human_edited_by: str | None


class CurationEventRead(BaseModel):
    """One recorded human edit."""

    id: int
    action: str
    actor: str
    theme_ids: list[int]
    details: dict[str, Any]
    is_undone: bool
    created_at: datetime


class RunRead(BaseModel):
    """One analysis run: status, coverage, counts, timings."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    trigger: str
    params: dict[str, Any]
    model_id: str | None
    sentiment_model_id: str | None
    seed: int
    n_items: int
    n_assigned: int
    n_themes: int
    coverage: float | None
    timings: dict[str, Any]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class LineageRead(BaseModel):
    """What a run did to one theme."""

    kind: str
    theme_id: int
    theme_label: str
    related_theme_ids: list[int]
    size: int


class ParentLineageRead(BaseModel):
    """What a run did to one parent theme, and the themes it held after the run."""

    kind: str
    parent_id: int
    parent_label: str
    related_parent_ids: list[int]
    theme_ids: list[int]
    size: int


class RunDetail(RunRead):
    """A run with the lineage of its themes and of its parent themes."""

    lineage: list[LineageRead]
    parent_lineage: list[ParentLineageRead] = []


@dataclass(frozen=True)
class ThemeFilters:
    """Overview filters; any of them switches from precomputed to live stats."""

    created_from: datetime | None = None
    created_to: datetime | None = None
    source: str | None = None
    segment: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.created_from or self.created_to or self.source or self.segment)
