"""A job through the real Redis broker and a real worker process (``voc worker``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from tests.voc_fixtures import EMBEDDER, make_feedback
from voc.config import JobSettings, Settings
from voc.db import ensure_schema, make_engine, session_scope
from voc.feedback.models import EmbeddingCache
from voc.jobs import service as job_service
from voc.jobs.models import Job, JobKind
from voc.jobs.runners import DramatiqQueue
from voc.nlp_runtime import get_models
from voc.search.index import IndexFiles, search

pytestmark = pytest.mark.broker
TEXTS = ["CSV export drops accents", "Login fails on Mondays", "Invoices arrive late"]


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_rebuild_index_job_runs_in_a_worker_process(tmp_path: Path) -> None:
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'voc.sqlite3'}",
        jobs=JobSettings(broker="redis"),
    )
    if not _redis_up(settings.jobs.redis_url):
        pytest.fail("the Redis broker at 127.0.0.1:6379 is not running")
    model_id = get_models(settings).embedder.model_id
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        ids = [make_feedback(session, text=t).id for t in TEXTS]
        for row in session.query(EmbeddingCache).all():  # re-key to the service's model
            session.add(EmbeddingCache(model_id=model_id, text_hash=row.text_hash,
                                       dim=row.dim, vector=row.vector))  # fmt: skip
        job_id = job_service.create(session, kind=JobKind.REBUILD_INDEX, n_batches=1).id
    namespace = f"voc-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "VOC_DATABASE_URL": settings.database_url,
           "VOC_DATA_DIR": str(settings.data_dir), "VOC_JOBS__BROKER": "redis"}  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "api.cli_serve", "worker", "--namespace", namespace,
         "--threads", "1"],
        env=env, cwd=Path(__file__).parents[3],
    )  # fmt: skip
    queue = DramatiqQueue(settings, namespace=namespace)
    try:
        queue.enqueue("rebuild_index", job_id=job_id)
        deadline = time.monotonic() + 120
        status = "queued"
        while time.monotonic() < deadline and status not in {"succeeded", "failed"}:
            time.sleep(0.5)
            with session_scope(engine) as session:
                status = session.get(Job, job_id).status  # type: ignore[union-attr]
            assert worker.poll() is None, "the worker process died"
        assert status == "succeeded"
        query = EMBEDDER.embed([TEXTS[1]])[0].astype(np.float32)
        hits = search(IndexFiles.for_model(settings.data_dir, model_id), query, 1)
        assert hits[0][0] == ids[1]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        queue.broker.flush_all()
        queue.broker.close()
        engine.dispose()
