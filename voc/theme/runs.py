"""Analysis runs for the API and pages: start one in the background, history, lineage."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voc.errors import Conflict, NotFound
from voc.jobs.queue import JobQueue, enqueue_after_commit
from voc.theme.models import (
    AnalysisRun,
    RunStatus,
    Theme,
    ThemeLineage,
    ThemeParent,
    ThemeParentLineage,
)
from voc.theme.schemas import LineageRead, ParentLineageRead, RunDetail, RunRead


def start_analysis(session: Session, *, queue: JobQueue, trigger: str, seed: int) -> RunRead:
    """A pending run with ``seed`` (``settings.nlp.seed``), queued once this transaction commits."""
    busy = session.scalar(
        select(func.count())
        .select_from(AnalysisRun)
        .where(AnalysisRun.status.in_([RunStatus.PENDING, RunStatus.RUNNING]))
    )
    if busy:
        raise Conflict("an analysis run is already pending or running; wait for it to finish")
    from voc.theme import service as theme_service  # the analysis stack loads on first use

    run = theme_service.create_run(session, trigger=trigger[:32], seed=seed)
    enqueue_after_commit(session, queue, "run_analysis", run_id=run.id)
    return RunRead.model_validate(run)


def _run_or_raise(session: Session, run_id: int) -> AnalysisRun:
    run = session.get(AnalysisRun, run_id)
    if run is None:
        raise NotFound(f"analysis run {run_id} does not exist")
    return run


def list_runs(session: Session, *, limit: int = 50, before_id: int | None = None) -> list[RunRead]:
    """Runs, newest first; ``before_id`` pages back in history."""
    query = select(AnalysisRun).order_by(AnalysisRun.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AnalysisRun.id < before_id)
    return [RunRead.model_validate(r) for r in session.scalars(query)]


def get_run(session: Session, *, run_id: int) -> RunRead:
    """One run, or NotFound."""
    return RunRead.model_validate(_run_or_raise(session, run_id))


def run_lineage(session: Session, *, run_id: int) -> list[LineageRead]:
    """Lineage of a run's themes (new, continued, split, merged, retired)."""
    _run_or_raise(session, run_id)
    rows = session.execute(
        select(ThemeLineage, Theme)
        .join(Theme, Theme.id == ThemeLineage.theme_id)
        .where(ThemeLineage.run_id == run_id)
        .order_by(ThemeLineage.kind, ThemeLineage.size.desc(), ThemeLineage.id)
    ).all()
    return [
        LineageRead(
            kind=lineage.kind,
            theme_id=theme.id,
            theme_label=theme.label,
            related_theme_ids=list(lineage.related_theme_ids or []),
            size=lineage.size,
        )
        for lineage, theme in rows
    ]


def parent_lineage(session: Session, *, run_id: int) -> list[ParentLineageRead]:
    """Lineage of a run's parent themes (new, continued, split, merged, retired)."""
    _run_or_raise(session, run_id)
    rows = session.execute(
        select(ThemeParentLineage, ThemeParent)
        .join(ThemeParent, ThemeParent.id == ThemeParentLineage.parent_id)
        .where(ThemeParentLineage.run_id == run_id)
        .order_by(ThemeParentLineage.kind, ThemeParentLineage.size.desc(), ThemeParentLineage.id)
    ).all()
    return [
        ParentLineageRead(
            kind=lineage.kind,
            parent_id=parent.id,
            parent_label=parent.label,
            related_parent_ids=list(lineage.related_parent_ids or []),
            theme_ids=list(lineage.theme_ids or []),
            size=lineage.size,
        )
        for lineage, parent in rows
    ]


def get_detail(session: Session, *, run_id: int) -> RunDetail:
    """A run with its lineage and its parent themes' lineage."""
    run = get_run(session, run_id=run_id)
    return RunDetail(
        **run.model_dump(),
        lineage=run_lineage(session, run_id=run_id),
        parent_lineage=parent_lineage(session, run_id=run_id),
    )
