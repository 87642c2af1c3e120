"""Feedback explorer: text filter or semantic search, filters, cursor paging, CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import SessionDep, SettingsDep
from api.pages.deps import Reader
from api.pages.export import Cell, csv_response
from api.pages.routing import PageRoute
from api.pages.templating import render
from api.pages.views import SENTIMENTS, page_filters
from voc.feedback import queries as feedback_queries
from voc.feedback.models import Source
from voc.feedback.schemas import FeedbackFilters, FeedbackRead, SearchHit
from voc.nlp_runtime import get_models
from voc.search import service as search_service

router = APIRouter(route_class=PageRoute)

PAGE_SIZE = 50
SEMANTIC_K = 50
CSV_PAGE = 200
CSV_MAX_ROWS = 100_000
CSV_HEADER = (
    "feedback_id", "created_at", "source", "external_id", "score", "sentiment",
    "sentiment_score", "theme_id", "theme", "similarity", "text",
)  # fmt: skip
Mode = Literal["text", "semantic"]
Sentiment = Literal["negative", "neutral", "positive"]


@router.get("/feedback", include_in_schema=False)
def explorer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    q: Annotated[str | None, Query(max_length=500)] = None,
    mode: Mode = "text",
    start: str | None = None,
    end: str | None = None,
    source: str | None = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    sentiment: Sentiment | None = None,
    theme: int | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    format: Literal["html", "csv"] = "html",
) -> Response:
    """Find what customers said: newest first, by words, or by meaning (semantic search)."""
    page_f = page_filters(start, end, source, segment)
    created_from, created_to = page_f.created_range()
    query = (q or "").strip() or None
    semantic = mode == "semantic" and query is not None
    filters = FeedbackFilters(
        source=page_f.source,
        created_from=created_from,
        created_to=created_to,
        theme_id=theme,
        sentiment=sentiment,
        segment=page_f.segment,
        q=None if semantic else query,
    )
    hits: list[SearchHit] = []
    items: list[FeedbackRead] = []
    next_cursor = None
    if semantic and query is not None:
        result = search_service.search(
            session,
            data_dir=settings.data_dir,
            embedder=get_models(settings).embedder,
            query=query,
            k=SEMANTIC_K,
            filters=filters,
        )
        hits = result.hits
    elif format == "csv":
        return csv_response("feedback.csv", CSV_HEADER, _csv_rows(session, filters))
    else:
        page = feedback_queries.list_feedback(
            session, filters=filters, cursor=cursor, limit=PAGE_SIZE
        )
        items, next_cursor = page.items, page.next_cursor
    if format == "csv":
        rows = (_row(hit.item, hit.score) for hit in hits)
        return csv_response("feedback-search.csv", CSV_HEADER, rows)
    context = {
        "q": query or "",
        "mode": mode,
        "semantic": semantic,
        "filters": page_f,
        "sentiment": sentiment,
        "theme": theme,
        "options": {"sources": [s.value for s in Source], "segments": []},
        "sentiments": SENTIMENTS,
        "items": items,
        "hits": hits,
        "cursor": cursor,
        "next_cursor": next_cursor,
        "is_filtered": bool(query or page_f.as_params() or sentiment or theme),
    }
    return render(request, "pages/feedback.html", context)


def _row(item: FeedbackRead, similarity: float | None = None) -> list[Cell]:
    return [
        item.id, item.created_at, item.source, item.external_id, item.score, item.sentiment_label,
        item.sentiment_score, item.theme_id, item.theme_label, similarity, item.text,
    ]  # fmt: skip


def _csv_rows(session: SessionDep, filters: FeedbackFilters) -> Iterator[list[Cell]]:
    """Every matching item, page by page with the cursor (bounded: no unbounded dumps)."""
    cursor: str | None = None
    written = 0
    while written < CSV_MAX_ROWS:
        page = feedback_queries.list_feedback(
            session, filters=filters, cursor=cursor, limit=CSV_PAGE
        )
        for item in page.items:
            yield _row(item)
        written += len(page.items)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
