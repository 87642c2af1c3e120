"""The in-process queue (the embedded default): jobs run after commit, off the caller's thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.voc_fixtures import make_feedback
from voc.config import Settings
from voc.db import ensure_schema, make_engine, session_scope
from voc.jobs import service as job_service
from voc.jobs.models import JobStatus
from voc.jobs.runners import InProcessQueue, make_job_queue
from voc.search import index as ann
from voc.search import service as search_service
from voc.theme import runs as run_queries
from voc.theme.models import RunStatus

SENTIMENT_WEIGHTS = Path(__file__).resolve().parents[3] / "nlp" / "models" / "sentiment"


@pytest.fixture
def settings(sqlite_file_url: str, tmp_path: Path) -> Settings:
    """Settings on a fresh SQLite file: the jobs open their own sessions on it."""
    return Settings(environment="test", database_url=sqlite_file_url, data_dir=tmp_path / "data")


@pytest.fixture
def engine_file(settings: Settings) -> Iterator[Engine]:
    """The migrated database of ``settings``."""
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def queue(settings: Settings) -> Iterator[InProcessQueue]:
    """The queue the embedded default builds."""
    made = make_job_queue(settings)
    assert isinstance(made, InProcessQueue)
    yield made
    made.shutdown()


def test_a_job_is_sent_only_when_the_transaction_commits(
    engine_file: Engine, queue: InProcessQueue
) -> None:
    with session_scope(engine_file) as session:
        run = run_queries.start_analysis(session, queue=queue, trigger="test", seed=42)
        assert queue.futures == []  # nothing runs before the run row is committed

    assert len(queue.futures) == 1
    queue.wait(timeout=120)
    with session_scope(engine_file) as session:
        stored = run_queries.get_run(session, run_id=run.id)
    assert stored.status != RunStatus.PENDING


def test_a_failing_run_records_its_status_and_error(
    engine_file: Engine, queue: InProcessQueue
) -> None:
    with session_scope(engine_file) as session:  # one item: too little to analyse
        make_feedback(session, text="CSV export drops accents")
        run = run_queries.start_analysis(session, queue=queue, trigger="test", seed=42)

    queue.wait(timeout=120)

    with session_scope(engine_file) as session:
        stored = run_queries.get_run(session, run_id=run.id)
    assert stored.status == RunStatus.FAILED
    assert stored.error


def test_a_rolled_back_transaction_sends_nothing(
    engine_file: Engine, queue: InProcessQueue
) -> None:
    def request_failing_after_queueing() -> None:
        with session_scope(engine_file) as session:
            run_queries.start_analysis(session, queue=queue, trigger="test", seed=42)
            raise RuntimeError("the request failed after queueing")

    with pytest.raises(RuntimeError):
        request_failing_after_queueing()

    assert queue.futures == []
    with session_scope(engine_file) as session:
        assert run_queries.list_runs(session) == []


def test_unknown_tasks_are_refused(queue: InProcessQueue) -> None:
    with pytest.raises(KeyError, match="unknown task 'reticulate'"):
        queue.enqueue("reticulate")


@pytest.mark.skipif(
    not (SENTIMENT_WEIGHTS / "branch.safetensors").is_file(),
    reason="the shipped sentiment weights (nlp/models/sentiment) are not in this checkout",
)
def test_rebuild_index_job_runs_and_records_success(
    engine_file: Engine, queue: InProcessQueue, settings: Settings
) -> None:
    from voc.nlp_runtime import get_models

    model_id = get_models(settings).embedder.model_id
    with session_scope(engine_file) as session:
        make_feedback(session, text="CSV export drops accents")
        session.flush()
        job = search_service.start_rebuild(session, queue=queue, created_by="ada@example.com")
        assert job.status == JobStatus.QUEUED

    queue.wait(timeout=120)

    with session_scope(engine_file) as session:
        stored = job_service.get_or_raise(session, job_id=job.id)
        assert stored.status == JobStatus.SUCCEEDED
        assert stored.started_at is not None
        assert stored.finished_at is not None
    # the fixture's vectors are cached under the hashing model, not the real one
    assert ann.indexed_count(ann.IndexFiles.for_model(settings.data_dir, model_id)) == 0
