"""Use cases of semantic search: keep the index in step with the cache, rebuild it, search."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from nlp.embedding import Embedder
from voc.errors import InvalidInput
from voc.feedback import queries as feedback_queries
from voc.feedback.models import EmbeddingCache, Feedback
from voc.feedback.schemas import FeedbackFilters
from voc.jobs import service as job_service
from voc.jobs.models import JobKind
from voc.jobs.queue import JobQueue, enqueue_after_commit
from voc.jobs.schemas import JobRead
from voc.search import index as ann
from voc.search.index import IndexFiles
from voc.search.schemas import SearchHit, SearchResult

MAX_K = 200
OVERFETCH = 4  # candidates per wanted hit when filters may drop some
CHUNK = 5_000


def _vectors_query(model_id: str) -> Select[int, bytes]:
    return select(Feedback.id, EmbeddingCache.vector).join(
        EmbeddingCache,
        and_(EmbeddingCache.text_hash == Feedback.text_hash, EmbeddingCache.model_id == model_id),
    )


def _vectors_of(
    session: Session, *, model_id: str, feedback_ids: Sequence[int]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float32]]:
    rows = session.execute(
        _vectors_query(model_id).where(Feedback.id.in_(list(feedback_ids)))
    ).all()
    if not rows:
        return np.zeros(0, dtype=np.uint64), np.zeros((0, 0), dtype=np.float32)
    keys = np.array([r[0] for r in rows], dtype=np.uint64)
    vectors = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    return keys, vectors


def add_items(
    session: Session, *, data_dir: Path, model_id: str, feedback_ids: Sequence[int]
) -> int:
    """Index the cached embeddings of these items (those not indexed yet); returns added."""
    files = IndexFiles.for_model(data_dir, model_id)
    added = 0
    for start in range(0, len(feedback_ids), CHUNK):
        keys, vectors = _vectors_of(
            session, model_id=model_id, feedback_ids=feedback_ids[start : start + CHUNK]
        )
        added += ann.add_vectors(files, keys, vectors)
    return added


def sync(session: Session, *, data_dir: Path, model_id: str) -> int:
    """Index every cached embedding of ``model_id`` that the index lacks; returns added."""
    ids = session.scalars(
        select(Feedback.id).join(
            EmbeddingCache,
            and_(
                EmbeddingCache.text_hash == Feedback.text_hash,
                EmbeddingCache.model_id == model_id,
            ),
        )
    )
    keys = np.fromiter(ids, dtype=np.uint64)
    missing = ann.missing_keys(IndexFiles.for_model(data_dir, model_id), keys)
    return add_items(
        session, data_dir=data_dir, model_id=model_id, feedback_ids=[int(k) for k in missing]
    )


def _all_chunks(
    session: Session, model_id: str
) -> Iterator[tuple[npt.NDArray[np.uint64], npt.NDArray[np.float32]]]:
    result = session.execute(
        _vectors_query(model_id).order_by(Feedback.id).execution_options(yield_per=CHUNK)
    )
    for rows in result.partitions(CHUNK):
        keys = np.array([r[0] for r in rows], dtype=np.uint64)
        yield keys, np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])


def rebuild(session: Session, *, data_dir: Path, model_id: str, dim: int) -> int:
    """Build the main index from every cached embedding of ``model_id``; returns its size."""
    index = ann.new_index(dim)
    for keys, vectors in _all_chunks(session, model_id):
        index.add(keys, vectors)
    ann.replace_main(IndexFiles.for_model(data_dir, model_id), index)
    return len(index)


def start_rebuild(session: Session, *, queue: JobQueue, created_by: str) -> JobRead:
    """Queue a rebuild of the vector index from the embedding cache (runs :func:`rebuild`)."""
    job = job_service.create(
        session, kind=JobKind.REBUILD_INDEX, n_batches=1, created_by=created_by
    )
    enqueue_after_commit(session, queue, "rebuild_index", job_id=job.id)
    return JobRead.model_validate(job)


def search(
    session: Session,
    *,
    data_dir: Path,
    embedder: Embedder,
    query: str,
    k: int = 20,
    filters: FeedbackFilters | None = None,
) -> SearchResult:
    """Items most similar to ``query`` (cosine), optionally filtered, best first."""
    query = query.strip()
    if not query:
        raise InvalidInput("q: give a text to search for")
    if not 1 <= k <= MAX_K:
        raise InvalidInput(f"k: between 1 and {MAX_K}")
    vector = embedder.embed([query])[0]
    files = IndexFiles.for_model(data_dir, embedder.model_id)
    if filters is not None and filters.is_empty:
        filters = None
    wanted = k if filters is None else k * OVERFETCH  # filters may drop candidates
    candidates = ann.search(files, vector, wanted)
    items = feedback_queries.by_ids(session, [key for key, _ in candidates], filters=filters)
    hits = [
        SearchHit(score=round(score, 6), item=items[key])
        for key, score in candidates
        if key in items
    ][:k]
    return SearchResult(query=query, model_id=embedder.model_id, hits=hits)
