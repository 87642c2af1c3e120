"""Analysis runs (trigger in the background, list, one with lineage) and jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Admin, Curator, JobQueueDep, PathId, QueryId, Reader, SessionDep, SettingsDep
from voc.jobs import service as job_service
from voc.jobs.schemas import JobRead
from voc.search import service as search_service
from voc.theme import runs as run_queries
from voc.theme.schemas import RunDetail, RunRead

router = APIRouter(tags=["runs"])


@router.post("/runs", response_model=RunRead, status_code=202)
def trigger_run(
    session: SessionDep, settings: SettingsDep, queue: JobQueueDep, user: Curator
) -> RunRead:
    """Queue a full re-analysis; it runs in the background (poll GET /runs/{id})."""
    return run_queries.start_analysis(
        session, queue=queue, trigger=f"api:{user.email}", seed=settings.nlp.seed
    )


@router.get("/runs", response_model=list[RunRead])
def list_runs(
    session: SessionDep,
    _user: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: QueryId = None,
) -> list[RunRead]:
    """Runs, newest first."""
    return run_queries.list_runs(session, limit=limit, before_id=before_id)


@router.get("/runs/{run_id}", response_model=RunDetail)
def get_run(session: SessionDep, _user: Reader, run_id: PathId) -> RunDetail:
    """Status, coverage, timings and the lineage of the run's themes."""
    return run_queries.get_detail(session, run_id=run_id)


@router.get("/jobs", response_model=list[JobRead])
def list_jobs(
    session: SessionDep, _user: Reader, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[JobRead]:
    """Background jobs, newest first."""
    return [JobRead.model_validate(j) for j in job_service.list_jobs(session, limit=limit)]


@router.get("/jobs/{job_id}", response_model=JobRead)
def get_job(session: SessionDep, _user: Reader, job_id: PathId) -> JobRead:
    """One job with its progress."""
    return JobRead.model_validate(job_service.get_or_raise(session, job_id=job_id))


@router.post("/index/rebuild", response_model=JobRead, status_code=202)
def rebuild_index(session: SessionDep, queue: JobQueueDep, user: Admin) -> JobRead:
    """Rebuild the semantic search index from the embedding cache, in the background."""
    return search_service.start_rebuild(session, queue=queue, created_by=user.email)
