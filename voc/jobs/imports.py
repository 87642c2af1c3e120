"""Feedback arriving through the API: one item assigned at once, bulks in background batches."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from voc.feedback import queries as feedback_queries
from voc.feedback import service as feedback_service
from voc.feedback.models import Feedback
from voc.feedback.schemas import FeedbackCreate, FeedbackRead
from voc.jobs import service as job_service
from voc.jobs.models import JobKind
from voc.jobs.queue import JobQueue, enqueue_after_commit
from voc.jobs.schemas import BulkResult, JobRead
from voc.nlp_runtime import Models
from voc.types import utcnow

INLINE_LIMIT = 32  # bulks up to this size are embedded and assigned inside the request


def create_one(
    session: Session, *, data: FeedbackCreate, models: Models, queue: JobQueue
) -> FeedbackRead:
    """Store an item, score and assign it at once; index it in the background."""
    from voc.theme import service as theme_service  # the analysis stack loads on first use

    item = feedback_service.create(session, data=data)
    assigned = theme_service.assign_incremental(session, feedback_ids=[item.id], models=models)
    theme_ids = [t for t in assigned.values() if t is not None]
    enqueue_after_commit(session, queue, "item_added", feedback_ids=[item.id], theme_ids=theme_ids)
    return feedback_queries.get_or_raise(session, item.id)


def create_many(
    session: Session,
    *,
    items: Sequence[FeedbackCreate],
    models: Models | None,
    queue: JobQueue,
    created_by: str,
) -> BulkResult:
    """Store items; small bulks are assigned inline, large ones by batch jobs after commit."""
    now = utcnow()
    summary = feedback_service.bulk_create(session, items=items, now=now)
    session.flush()
    ids = list(session.scalars(select(Feedback.id).where(Feedback.updated_at == now)))
    if not ids:
        return BulkResult(summary=summary, n_assigned_inline=0, job=None)
    if len(ids) <= INLINE_LIMIT and models is not None:
        from voc.theme import service as theme_service

        assigned = theme_service.assign_incremental(session, feedback_ids=ids, models=models)
        theme_ids = sorted({t for t in assigned.values() if t is not None})
        enqueue_after_commit(session, queue, "item_added", feedback_ids=ids, theme_ids=theme_ids)
        return BulkResult(summary=summary, n_assigned_inline=len(ids), job=None)
    parts = job_service.batches(ids)
    job = job_service.create(
        session,
        kind=JobKind.IMPORT,
        n_total=len(ids),
        n_batches=len(parts),
        created_by=created_by,
        params={"rows_read": summary.rows_read},
    )
    for part in parts:
        enqueue_after_commit(session, queue, "assign_batch", job_id=job.id, feedback_ids=part)
    return BulkResult(summary=summary, n_assigned_inline=0, job=JobRead.model_validate(job))


def start_rebuild_index(session: Session, *, queue: JobQueue, created_by: str) -> JobRead:
    """Queue a rebuild of the vector index from the embedding cache."""
    job = job_service.create(
        session, kind=JobKind.REBUILD_INDEX, n_batches=1, created_by=created_by
    )
    enqueue_after_commit(session, queue, "rebuild_index", job_id=job.id)
    return JobRead.model_validate(job)
