"""Feedback explorer: text filter or semantic search, filters, cursor paging, CSV export."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import SessionDep, SessionFactoryDep, SettingsDep
from api.pages.deps import Reader
from api.pages.export import Cell, csv_response
from api.pages.routing import PageRoute
from api.pages.templating import render
from api.pages.views import SENTIMENTS, page_filters
from voc.export import display_text
from voc.feedback.models import Kind, Source
from voc.feedback.schemas import FeedbackRead
from voc.nlp_runtime import get_models
from voc.search import explore as explorer
from voc.search.schemas import ExploreMode, ExploreQuery

router = APIRouter(route_class=PageRoute)

PAGE_SIZE = 50
CSV_HEADER = (
    "feedback_id", "created_at", "source", "external_id", "score", "sentiment",
    "sentiment_score", "kind", "kind_confidence", "theme_id", "theme", "similarity", "text",
)  # fmt: skip
Sentiment = Literal["negative", "neutral", "positive"]


@router.get("/feedback", include_in_schema=False)
def explorer_page(
    request: Request,
    session: SessionDep,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    _user: Reader,
    q: Annotated[str | None, Query(max_length=500)] = None,
    mode: ExploreMode = "text",
    start: str | None = None,
    end: str | None = None,
    source: str | None = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    sentiment: Sentiment | None = None,
    kind: Kind | None = None,
    theme: int | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    format: Literal["html", "csv"] = "html",
) -> Response:
    """Find what customers said: newest first, by words, or by meaning (semantic search)."""
    page_f = page_filters(start, end, source, segment)
    filters = page_f.feedback_filters(
        theme_id=theme, sentiment=sentiment, kind=kind.value if kind else None
    )
    ask = ExploreQuery(text=(q or "").strip() or None, mode=mode, filters=filters)
    data_dir, models = settings.data_dir, partial(get_models, settings)  # loaded if semantic
    if format == "csv":
        found_all = explorer.export(sessions, ask=ask, data_dir=data_dir, models=models)
        rows = (_row(item, similarity) for item, similarity in found_all)
        name = "feedback-search.csv" if ask.is_semantic else "feedback.csv"
        return csv_response(name, CSV_HEADER, rows)
    found = explorer.explore(
        session, ask=ask, cursor=cursor, limit=PAGE_SIZE, data_dir=data_dir, models=models
    )
    context = {
        "q": ask.text or "",
        "mode": mode,
        "semantic": found.is_semantic,
        "filters": page_f,
        "sentiment": sentiment,
        "kind": kind.value if kind else None,
        "kinds": [k.value for k in Kind],
        "theme": theme,
        "options": {"sources": [s.value for s in Source], "segments": []},
        "sentiments": SENTIMENTS,
        "items": found.items,
        "hits": found.hits,
        "cursor": cursor,
        "next_cursor": found.next_cursor,
        "is_filtered": bool(ask.text or page_f.as_params() or sentiment or kind or theme),
    }
    return render(request, "pages/feedback.html", context)


def _row(item: FeedbackRead, similarity: float | None = None) -> list[Cell]:
    return [
        item.id, item.created_at, item.source, item.external_id, item.score, item.sentiment_label,
        item.sentiment_score, item.kind, item.kind_confidence, item.theme_id, item.theme_label,
        similarity, display_text(item.text),
    ]  # fmt: skip
