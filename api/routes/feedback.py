"""Feedback: list with filters and cursor pagination, get one, create one, bulk create."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from api.deps import Curator, JobQueueDep, PathId, QueryId, Reader, SessionDep, SettingsDep
from voc.feedback import queries as feedback_queries
from voc.feedback import service as feedback_service
from voc.feedback.date_bounds import DateBounds
from voc.feedback.models import Kind, Source
from voc.feedback.schemas import (
    BulkResult,
    FeedbackCreate,
    FeedbackFilters,
    FeedbackPage,
    FeedbackRead,
)
from voc.nlp_runtime import get_models

router = APIRouter(prefix="/feedback", tags=["feedback"])
MAX_BULK = 10_000
Sentiment = Annotated[str | None, Query(pattern="^(positive|negative|neutral)$")]


@router.get("", response_model=FeedbackPage)
def list_feedback(
    session: SessionDep,
    _user: Reader,
    source: Source | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    theme_id: QueryId = None,
    sentiment: Sentiment = None,
    kind: Kind | None = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    score_min: Annotated[int | None, Query(ge=0, le=10)] = None,
    score_max: Annotated[int | None, Query(ge=0, le=10)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=feedback_queries.MAX_LIMIT)] = 50,
) -> FeedbackPage:
    """Items matching the filters, newest first; follow ``next_cursor`` for more."""
    filters = FeedbackFilters(
        source=source.value if source else None,
        created_from=created_from,
        created_to=created_to,
        theme_id=theme_id,
        sentiment=sentiment,
        kind=kind.value if kind else None,
        segment=segment,
        score_min=score_min,
        score_max=score_max,
        q=q,
    )
    return feedback_queries.list_feedback(session, filters=filters, cursor=cursor, limit=limit)


@router.get("/{feedback_id}", response_model=FeedbackRead)
def get_feedback(session: SessionDep, _user: Reader, feedback_id: PathId) -> FeedbackRead:
    """One item with its sentiment, kind and theme."""
    return feedback_queries.get_or_raise(session, feedback_id)


@router.post("", response_model=FeedbackRead, status_code=201)
def create_feedback(
    session: SessionDep,
    settings: SettingsDep,
    queue: JobQueueDep,
    _user: Curator,
    data: FeedbackCreate,
) -> FeedbackRead:
    """Store one item and assign it to a theme at once (with its sentiment)."""
    models = get_models(settings)
    bounds = DateBounds(floor=settings.feedback.date_floor)
    return feedback_service.create(session, data=data, models=models, queue=queue, bounds=bounds)


@router.post(
    "/bulk",
    response_model=BulkResult,
    status_code=200,
    responses={202: {"model": BulkResult, "description": "Stored; assignment runs as a job"}},
)
def bulk_create(
    session: SessionDep,
    settings: SettingsDep,
    queue: JobQueueDep,
    user: Curator,
    response: Response,
    items: Annotated[list[FeedbackCreate], Body(min_length=1, max_length=MAX_BULK)],
) -> BulkResult:
    """Store many items; small bulks are assigned inline, large ones in background batches."""
    models = get_models(settings) if len(items) <= feedback_service.INLINE_LIMIT else None
    result = feedback_service.create_many(
        session,
        items=items,
        models=models,
        queue=queue,
        created_by=user.email,
        bounds=DateBounds(floor=settings.feedback.date_floor),
    )
    if result.job is not None:
        response.status_code = 202
    return result
