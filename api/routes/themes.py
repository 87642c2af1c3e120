"""Themes at two levels: overview with stats (themes or parent themes), details, items."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import PathId, Reader, SessionDep
from voc.feedback import queries as feedback_queries
from voc.feedback.models import Kind, Source
from voc.feedback.schemas import FeedbackFilters, FeedbackPage
from voc.theme import queries as theme_queries
from voc.theme.schemas import ParentDetail, ParentList, ThemeDetail, ThemeFilters, ThemeList

router = APIRouter(prefix="/themes", tags=["themes"])
parents_router = APIRouter(prefix="/theme-parents", tags=["themes"])


@router.get("", response_model=ThemeList | ParentList)
def list_themes(
    session: SessionDep,
    _user: Reader,
    level: Literal["theme", "parent"] = "theme",
    include_hidden: bool = False,
    sort: theme_queries.SortKey = "size",
    descending: bool = True,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    source: Source | None = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
) -> ThemeList | ParentList:
    """Themes or parent themes with size, share, weekly trend, sentiment mix and NPS.

    ``level=theme``: the fine themes, each with its parent; ``level=parent``: the parent
    themes, each with its themes folded in.
    """
    filters = ThemeFilters(
        created_from=created_from,
        created_to=created_to,
        source=source.value if source else None,
        segment=segment,
    )
    if level == "parent":
        return theme_queries.list_parents(
            session,
            filters=filters,
            include_hidden=include_hidden,
            sort=sort,
            descending=descending,
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


@parents_router.get("/{parent_id}", response_model=ParentDetail)
def get_parent(session: SessionDep, _user: Reader, parent_id: PathId) -> ParentDetail:
    """A parent theme: summed stats of its themes, and those themes."""
    return theme_queries.get_parent_detail(session, parent_id)
