"""Themes overview and theme detail pages (read side; curation forms post to curation.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from api.deps import SessionDep, SessionFactoryDep
from api.pages.deps import Reader
from api.pages.export import Cell, csv_response
from api.pages.routing import PageRoute
from api.pages.templating import render, render_fragment
from api.pages.views import (
    SENTIMENTS,
    PageFilters,
    ParentRow,
    ThemeRow,
    last_week_of,
    page_filters,
    parent_rows,
    series_for_chart,
    theme_rows,
)
from voc.export import display_text, export_items
from voc.feedback.models import Kind, Source
from voc.feedback.schemas import FeedbackFilters, FeedbackPage, FeedbackRead
from voc.request import suggest as request_suggest
from voc.theme import curation
from voc.theme import queries as theme_queries
from voc.user.models import Permission

router = APIRouter(route_class=PageRoute)

SortParam = Literal["size", "share", "trend", "negative", "avg_sentiment", "nps", "label"]
DirParam = Literal["asc", "desc"]
Fmt = Literal["html", "csv"]
ITEMS_PER_PAGE = 25
OVERVIEW_CSV_HEADER = (
    "theme_id", "label", "machine_label", "keywords", "size", "share", "negative", "neutral",
    "positive", "negative_share", "avg_sentiment_score", "nps", "n_scored", "last_4_weeks",
    "share_change_vs_prior_4_weeks", "share_change_significant", "is_hidden", "parent_id",
    "parent",
)  # fmt: skip


def _options() -> dict[str, list[str]]:
    return {"sources": [s.value for s in Source], "segments": []}


@router.get("/", include_in_schema=False)
def home(_user: Reader) -> Response:
    """The overview is the home page."""
    return RedirectResponse("/themes", status_code=303)


@router.get("/themes", include_in_schema=False)
def overview(
    request: Request,
    session: SessionDep,
    user: Reader,
    start: str | None = None,
    end: str | None = None,
    source: str | None = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    sort: SortParam = "size",
    dir: DirParam = "desc",
    hidden: bool = False,
    level: Literal["parent", "theme"] = "parent",
    format: Fmt = "html",
) -> Response:
    """Which themes hurt most: size, share, trend, sentiment, NPS; filters; CSV export.

    Parent themes first, each with its themes folded in (a ``<details>`` element: the fold
    opens without a page load); ``level=theme`` (or no parents yet) lists every theme flat.
    """
    filters = page_filters(start, end, source, segment)
    listing = theme_queries.list_themes(
        session, filters=filters.theme_filters(), include_hidden=hidden
    )
    # with filters, a theme without a matching item is noise: show only themes that match
    shown = [t for t in listing.themes if t.size > 0] if listing.is_filtered else listing.themes
    rows = theme_rows(shown, sort=sort, direction=dir)
    if format == "csv":
        return csv_response("themes.csv", OVERVIEW_CSV_HEADER, _overview_csv(rows))
    row_html = [render_fragment("pages/_theme_row.html", _row_key(row), row=row) for row in rows]
    groups = _parent_groups(session, filters, hidden, sort, dir, rows, row_html)
    context = {
        "listing": listing,
        "rows": rows,
        "row_html": row_html,
        "groups": groups if level == "parent" else [],
        "has_parents": bool(groups),
        "level": level,
        "filters": filters,
        "options": _options(),
        "sort": sort,
        "dir": dir,
        "hidden": hidden,
        "can_curate": user.can(Permission.CURATE),
    }
    return render(request, "pages/themes.html", context)


def _parent_groups(
    session: Session,
    filters: PageFilters,
    hidden: bool,
    sort: str,
    direction: str,
    rows: list[ThemeRow],
    row_html: Sequence[str],
) -> list[tuple[ParentRow, list[str]]]:
    """(parent row, its theme rows' HTML in the listing's order) per parent with a shown theme."""
    parents = theme_queries.list_parents(
        session, filters=filters.theme_filters(), include_hidden=hidden
    )
    shown = {r.theme.id for r in rows}
    html_of = {r.theme.id: html for r, html in zip(rows, row_html, strict=True)}
    ordered = parent_rows(
        [p for p in parents.parents if shown & set(p.theme_ids)],
        last=last_week_of([r.theme for r in rows]),
        sort=sort,
        direction=direction,
    )
    return [
        (row, [html_of[r.theme.id] for r in rows if r.theme.id in set(row.theme.theme_ids)])
        for row in ordered
    ]


def _row_key(row: ThemeRow) -> tuple[object, ...]:
    """Every value templates/pages/_theme_row.html shows."""
    t = row.theme
    mix = t.sentiment
    return (
        t.id, t.label, t.machine_label, t.human_label, t.is_hidden, tuple(t.keywords[:6]),
        t.size, t.share, tuple(row.series), row.momentum, t.trend_significant, mix.negative,
        mix.neutral, mix.positive, t.avg_sentiment, t.nps, t.n_scored,
    )  # fmt: skip


def _overview_csv(rows: list[ThemeRow]) -> Iterator[list[Cell]]:
    """One CSV row per theme; its parent's id and label last (empty before parents exist)."""
    for row in rows:
        t = row.theme
        yield [
            t.id, t.label, t.machine_label, ", ".join(t.keywords), t.size, round(t.share, 4),
            t.sentiment.negative, t.sentiment.neutral, t.sentiment.positive,
            None if t.negative_share is None else round(t.negative_share, 4),
            None if t.avg_sentiment is None else round(t.avg_sentiment, 4),
            None if t.nps is None else round(t.nps, 1), t.n_scored, sum(row.series[-4:]),
            None if row.momentum is None else round(row.momentum, 3), t.trend_significant,
            t.is_hidden,
            t.parent_id, t.parent_label,
        ]  # fmt: skip


@router.get("/themes/{theme_id}", include_in_schema=False)
def detail(
    request: Request,
    session: SessionDep,
    sessions: SessionFactoryDep,
    user: Reader,
    theme_id: int,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    sentiment: Literal["negative", "neutral", "positive"] | None = None,
    kind: Kind | None = None,
    format: Fmt = "html",
) -> Response:
    """One theme: what customers say (quotes with sentiment), trend, kinds, segments, similar."""
    theme = theme_queries.get_detail(session, theme_id)
    item_filters = FeedbackFilters(sentiment=sentiment, kind=kind.value if kind else None)
    if format == "csv":
        return csv_response(
            f"theme-{theme_id}-items.csv",
            FEEDBACK_CSV_HEADER,
            _theme_items_csv(sessions, theme_id, item_filters),
        )
    items = theme_queries.list_items(
        session, theme_id=theme_id, filters=item_filters, cursor=cursor, limit=ITEMS_PER_PAGE
    )
    can_curate = user.can(Permission.CURATE)
    labels, counts = series_for_chart(theme.trend)
    targets = _merge_targets(session, theme_id) if can_curate else []
    context = {
        "theme": theme,
        "items": items,
        "sentiment": sentiment,
        "kind": kind.value if kind else None,
        "kinds": [k.value for k in Kind],
        "kind_rows": [(k.kind, k.count, None) for k in theme.kinds if k.count],
        "cursor": cursor,
        "trend_labels": labels,
        "trend_counts": counts,
        "trend_html": render_fragment(
            "pages/_theme_trend.html", (tuple(labels), tuple(counts)), labels=labels, counts=counts
        ),
        "segment_rows": [(s.segment, s.count, None) for s in theme.segments],
        "sentiments": SENTIMENTS,
        "can_curate": can_curate,
        "targets": targets,
        "parent_targets": theme_queries.parent_choices(session) if can_curate else [],
        "target_options": render_fragment(
            "pages/_theme_options.html", tuple(targets), targets=targets
        ),
        "history": curation.history(session, theme_id=theme_id, limit=10),
        "theme_requests": request_suggest.requests_of_theme(session, theme_id=theme_id),
        "can_link": user.can(Permission.LINK_REQUESTS),
    }
    return render(request, "pages/theme_detail.html", context)


def _merge_targets(session: SessionDep, theme_id: int) -> list[tuple[int, str]]:
    return [choice for choice in theme_queries.theme_choices(session) if choice[0] != theme_id]


FEEDBACK_CSV_HEADER = (
    "feedback_id", "created_at", "source", "score", "sentiment", "sentiment_score", "kind",
    "kind_confidence", "theme_id", "theme", "text",
)  # fmt: skip


def _theme_items_csv(
    sessions: Callable[[], Session], theme_id: int, filters: FeedbackFilters
) -> Iterator[list[Cell]]:
    def fetch(session: Session, cursor: str | None, limit: int) -> FeedbackPage:
        return theme_queries.list_items(
            session, theme_id=theme_id, filters=filters, cursor=cursor, limit=limit
        )

    return (_item_row(item) for item in export_items(sessions, fetch))


def _item_row(item: FeedbackRead) -> list[Cell]:
    return [
        item.id, item.created_at, item.source, item.score, item.sentiment_label,
        item.sentiment_score, item.kind, item.kind_confidence, item.theme_id, item.theme_label,
        display_text(item.text),
    ]  # fmt: skip
