"""Semantic search: items most similar to a query text, through the vector index."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import QueryId, Reader, SessionDep, SettingsDep
from voc.feedback.models import Kind, Source
from voc.feedback.schemas import FeedbackFilters
from voc.nlp_runtime import get_models
from voc.search import service as search_service
from voc.search.schemas import SearchResult

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResult)
def semantic_search(
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    k: Annotated[int, Query(ge=1, le=search_service.MAX_K)] = 20,
    source: Source | None = None,
    theme_id: QueryId = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    kind: Kind | None = None,
) -> SearchResult:
    """The ``k`` items closest in meaning to ``q`` (cosine similarity), optionally filtered."""
    filters = None
    if source or theme_id or created_from or created_to or kind:
        filters = FeedbackFilters(
            source=source.value if source else None,
            kind=kind.value if kind else None,
            theme_id=theme_id,
            created_from=created_from,
            created_to=created_to,
        )
    return search_service.search(
        session,
        data_dir=settings.data_dir,
        embedder=get_models(settings).embedder,
        query=q,
        k=k,
        filters=filters,
    )
