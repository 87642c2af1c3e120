"""Job rows: create, track progress of batches shared by several workers, read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from voc.errors import NotFound
from voc.jobs.models import Job, JobKind, JobStatus
from voc.types import utcnow

BATCH_SIZE = 256


def batches(ids: Sequence[int], size: int = BATCH_SIZE) -> list[list[int]]:
    """Split ids into batches of at most ``size``."""
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def create(
    session: Session,
    *,
    kind: JobKind,
    n_total: int = 0,
    n_batches: int = 0,
    params: dict[str, Any] | None = None,
    run_id: int | None = None,
    created_by: str | None = None,
) -> Job:
    """A queued job row (the caller enqueues its messages after committing)."""
    job = Job(
        kind=kind.value,
        status=JobStatus.QUEUED,
        n_total=n_total,
        n_batches=n_batches,
        params=params or {},
        run_id=run_id,
        created_by=created_by,
    )
    session.add(job)
    session.flush()
    return job


def get_or_raise(session: Session, *, job_id: int) -> Job:
    """The job with this id, or NotFound."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} does not exist")
    return job


def list_jobs(session: Session, *, limit: int = 50) -> Sequence[Job]:
    """The newest jobs first."""
    return session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)).all()


def mark_running(session: Session, *, job_id: int) -> None:
    """Flag a queued job as running (first batch to start)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow())
    )


def add_progress(session: Session, *, job_id: int, n_items: int) -> bool:
    """Count one finished batch atomically; True when it was the job's last batch."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(n_done=Job.n_done + n_items, n_batches_done=Job.n_batches_done + 1)
    )
    job = session.execute(select(Job.n_batches_done, Job.n_batches).where(Job.id == job_id)).one()
    return bool(job[0] >= job[1])


def finish(session: Session, *, job_id: int, error: str | None = None) -> None:
    """Mark a job succeeded, or failed with a one-line error."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status=JobStatus.FAILED if error else JobStatus.SUCCEEDED,
            error=error,
            finished_at=utcnow(),
        )
    )
