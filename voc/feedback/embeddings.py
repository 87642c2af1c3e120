"""Embedding cache: vectors keyed by (model id, text hash); unchanged text is never re-embedded."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from nlp.embedding import Embedder
from nlp.sentiment import SentimentResult
from voc.feedback.models import EmbeddingCache

logger = logging.getLogger(__name__)

LOOKUP_CHUNK = 900  # stays under SQLite's bound-parameter limit with room to spare
Progress = Callable[[int], None]


def text_hash(text: str) -> str:
    """The cache key of a text (sha256 of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_cached(
    session: Session, *, model_id: str, hashes: Sequence[str]
) -> dict[str, npt.NDArray[np.float32]]:
    """Vectors already cached for these hashes (missing ones are absent)."""
    found: dict[str, npt.NDArray[np.float32]] = {}
    for chunk in _chunks(hashes, LOOKUP_CHUNK):
        rows = session.execute(
            select(EmbeddingCache.text_hash, EmbeddingCache.vector).where(
                EmbeddingCache.model_id == model_id, EmbeddingCache.text_hash.in_(chunk)
            )
        )
        for digest, blob in rows:
            found[digest] = np.frombuffer(blob, dtype=np.float32)
    return found


@dataclass
class EmbedOutcome:
    """Vectors aligned with the requested hashes, and what it cost."""

    vectors: npt.NDArray[np.float32]
    n_cached: int
    n_computed: int
    sentiments: dict[str, SentimentResult] = field(default_factory=dict)


def _encode(
    embedder: Embedder, texts: Sequence[str], batch_size: int
) -> tuple[npt.NDArray[np.float32], list[SentimentResult] | None]:
    encode = getattr(embedder, "encode", None)
    if callable(encode):  # a JointEncoder gives sentiment from the same forward pass
        result = encode(texts, batch_size=batch_size)
        return result.embeddings, list(result.sentiments)
    return embedder.embed(texts, batch_size=batch_size), None


def embed_with_cache(
    session: Session,
    *,
    texts_by_hash: dict[str, str],
    embedder: Embedder,
    batch_size: int = 64,
    write_chunk: int = 2048,
    progress: Progress | None = None,
) -> tuple[list[str], EmbedOutcome]:
    """Embed distinct texts, reading and filling the cache; returns (hash order, outcome)."""
    hashes = list(texts_by_hash)
    cached = load_cached(session, model_id=embedder.model_id, hashes=hashes)
    if progress and cached:
        progress(len(cached))
    missing = [h for h in hashes if h not in cached]
    sentiments: dict[str, SentimentResult] = {}
    for chunk in _chunks(missing, write_chunk):
        vectors, scored = _encode(embedder, [texts_by_hash[h] for h in chunk], batch_size)
        session.execute(
            insert(EmbeddingCache),
            [
                {
                    "model_id": embedder.model_id,
                    "text_hash": h,
                    "dim": v.shape[0],
                    "vector": v.astype(np.float32).tobytes(),
                }
                for h, v in zip(chunk, vectors, strict=True)
            ],
        )
        for h, v in zip(chunk, vectors, strict=True):
            cached[h] = v
        if scored is not None:
            sentiments.update(zip(chunk, scored, strict=True))
        if progress:
            progress(len(chunk))
    dim = embedder.dim if not cached else next(iter(cached.values())).shape[0]
    matrix = np.zeros((len(hashes), dim), dtype=np.float32)
    for row, h in enumerate(hashes):
        matrix[row] = cached[h]
    outcome = EmbedOutcome(matrix, len(hashes) - len(missing), len(missing), sentiments)
    return hashes, outcome
