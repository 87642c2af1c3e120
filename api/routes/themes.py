"""Themes: overview with stats, detail, items of a theme."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import PathId, Reader, SessionDep
from voc.feedback import queries as feedback_queries
from voc.feedback.models import Kind, Source
from voc.feedback.schemas import FeedbackFilters, FeedbackPage
from voc.theme import queries as theme_queries
from voc.theme.schemas import ThemeDetail, ThemeFilters, ThemeList

router = APIRouter(prefix="/themes", tags=["themes"])


@router.get("", response_model=ThemeList)
def list_themes(
    session: SessionDep,
    _user: Reader,
    include_hidden: bool = False,
    sort: theme_queries.SortKey = "size",
    descending: bool = True,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    source: Source | None = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
) -> ThemeList:
    """Active themes with size, share, weekly trend, sentiment mix and NPS."""
    filters = ThemeFilters(
        created_from=created_from,
        created_to=created_to,
        source=source.value if source else None,
        segment=segment,
    )
    return theme_queries.list_themes(
        session, filters=filters, include_hidden=include_hidden, sort=sort, descending=descending
    )


@router.get("/{theme_id}", response_model=ThemeDetail)
def get_theme(session: SessionDep, _user: Reader, theme_id: PathId) -> ThemeDetail:
    """Keywords, quotes with sentiment, trend, segments and similar themes."""
    return theme_queries.get_detail(session, theme_id)


@router.get("/{theme_id}/items", response_model=FeedbackPage)
def theme_items(
    session: SessionDep,
    _user: Reader,
    theme_id: PathId,
    sentiment: Annotated[str | None, Query(pattern="^(positive|negative|neutral)$")] = None,
    kind: Kind | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=feedback_queries.MAX_LIMIT)] = 50,
) -> FeedbackPage:
    """Items of a theme, newest first, with cursor pagination."""
    filters = FeedbackFilters(sentiment=sentiment, kind=kind.value if kind else None, q=q)
    return theme_queries.list_items(
        session, theme_id=theme_id, filters=filters, cursor=cursor, limit=limit
    )
