"""Bodies of the background jobs; the broker actors and the in-process runner both call these.

Each task opens its own transactions (``session_scope``) and reads the models once per process.
The analysis stack (umap, hdbscan, numba) is imported when a task runs, not when a web process
imports the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from voc.config import Settings
from voc.db import get_engine, session_scope
from voc.jobs import service as job_service
from voc.nlp_runtime import get_models
from voc.search import service as search_service
from voc.theme import stats as theme_stats
from voc.theme.models import RunStatus
from voc.types import utcnow

logger = logging.getLogger(__name__)


def _engine(settings: Settings) -> Engine:
    return get_engine(settings.database_url)


def run_analysis(settings: Settings, *, run_id: int) -> None:
    """A full re-analysis for a pending run, then stats and the vector index."""
    from voc.theme import service as theme_service

    engine = _engine(settings)
    try:  # a model that cannot load fails the run too, rather than leaving it pending
        models = get_models(settings)
        with session_scope(engine) as session:
            run = theme_service.get_run_or_raise(session, run_id=run_id)
            theme_service.run_analysis(
                session,
                models=models,
                run=run,
                seed=run.seed,
                product_names=settings.nlp.product_names,
            )  # writes the theme stats, and so the requests' stored evidence, at its end
    except Exception as exc:
        logger.exception("analysis run %s failed", run_id)
        with session_scope(engine) as session:
            run = theme_service.get_run_or_raise(session, run_id=run_id)
            run.status, run.error, run.finished_at = RunStatus.FAILED, str(exc)[:2000], utcnow()
        raise
    with session_scope(engine) as session:
        search_service.sync(session, data_dir=settings.data_dir, model_id=models.embedder.model_id)


def assign_batch(settings: Settings, *, job_id: int, feedback_ids: list[int]) -> None:
    """Embed, score and assign one batch of an import; the last batch refreshes the stats."""
    from voc.theme import service as theme_service

    engine = _engine(settings)
    models = get_models(settings)
    with session_scope(engine) as session:
        job_service.mark_running(session, job_id=job_id)
    with session_scope(engine) as session:
        theme_service.assign_incremental(session, feedback_ids=feedback_ids, models=models)
    with session_scope(engine) as session:
        search_service.add_items(
            session,
            data_dir=settings.data_dir,
            model_id=models.embedder.model_id,
            feedback_ids=feedback_ids,
        )
        is_last = job_service.add_progress(session, job_id=job_id, n_items=len(feedback_ids))
    if is_last:
        with session_scope(engine) as session:
            theme_stats.refresh(session)
            job_service.finish(session, job_id=job_id)


def item_added(settings: Settings, *, feedback_ids: list[int], theme_ids: list[int]) -> None:
    """After a single create: index the new items and refresh their themes' stats."""
    engine = _engine(settings)
    model_id = get_models(settings).embedder.model_id
    with session_scope(engine) as session:
        search_service.add_items(
            session, data_dir=settings.data_dir, model_id=model_id, feedback_ids=feedback_ids
        )
        if theme_ids:  # add the new items to their themes' stats (no re-aggregation)
            theme_stats.add_new_items(session, feedback_ids=feedback_ids)


def rebuild_index(settings: Settings, *, job_id: int) -> None:
    """Rebuild the vector index of the current embedding model from the cache."""
    engine = _engine(settings)
    embedder = get_models(settings).embedder
    with session_scope(engine) as session:
        job_service.mark_running(session, job_id=job_id)
    with session_scope(engine) as session:
        search_service.rebuild(
            session, data_dir=settings.data_dir, model_id=embedder.model_id, dim=embedder.dim
        )
        job_service.finish(session, job_id=job_id)


def fail_job(settings: Settings, *, job_id: int, error: str) -> None:
    """Record that a job failed for good (after its retries)."""
    with session_scope(_engine(settings)) as session:
        job_service.finish(session, job_id=job_id, error=error[:2000])


TASKS: dict[str, Callable[..., None]] = {
    "run_analysis": run_analysis,
    "assign_batch": assign_batch,
    "item_added": item_added,
    "rebuild_index": rebuild_index,
}


def execute(settings: Settings, task: str, kwargs: dict[str, Any]) -> None:
    """Run the task called ``task`` with keyword arguments ``kwargs``."""
    TASKS[task](settings, **kwargs)
