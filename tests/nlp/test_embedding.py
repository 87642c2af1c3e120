"""Embedders return unit-norm float32 rows; the real model puts paraphrases close together."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

from nlp.embedding import (
    CoalescingEmbedder,
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
)


def test_minilm_embeds_paraphrases_closer_than_unrelated_texts(
    minilm_embedder: SentenceTransformerEmbedder,
) -> None:
    vectors = minilm_embedder.embed(
        ["My card has not arrived", "Still waiting for my card to arrive", "Add a dark mode"]
    )
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    assert minilm_embedder.model_id == "all-MiniLM-L6-v2@norm1"
    assert isinstance(minilm_embedder, Embedder)


def test_signatures_do_not_change_the_embedding(
    minilm_embedder: SentenceTransformerEmbedder,
) -> None:
    plain, signed = minilm_embedder.embed(
        ["The export is broken.", "Hi team,\nThe export is broken.\n\nThanks,\nJohn"]
    )
    assert plain @ signed > 0.999


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    embedder = HashingEmbedder(dim=64)
    first = embedder.embed(["refund missing", "refund missing", ""])
    assert np.array_equal(first[0], first[1])
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    assert embedder.embed([]).shape == (0, 64)


class _SlowHashing(HashingEmbedder):
    """The hashing embedder, slowed down so that callers overlap, recording each pass."""

    def __init__(self, *, fail_on: str | None = None) -> None:
        super().__init__(dim=32)
        self.passes: list[list[str]] = []
        self._fail_on = fail_on

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> npt.NDArray[np.float32]:
        self.passes.append(list(texts))
        time.sleep(0.05)
        if self._fail_on is not None and self._fail_on in texts:
            raise RuntimeError("model crashed")
        return super().embed(texts, batch_size=batch_size)


def _call_together(embedder: Embedder, calls: list[list[str]]) -> list[object]:
    start = threading.Barrier(len(calls))

    def one(texts: list[str]) -> object:
        start.wait()
        try:
            return embedder.embed(texts)
        except RuntimeError as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


def test_coalescing_shares_passes_between_concurrent_callers_in_order() -> None:
    inner = _SlowHashing()
    embedder = CoalescingEmbedder(inner)
    calls = [[f"query {i}"] for i in range(7)] + [["two texts", "in one call"]]
    results = _call_together(embedder, calls)
    reference = HashingEmbedder(dim=32)
    for texts, vectors in zip(calls, results, strict=True):
        assert np.array_equal(vectors, reference.embed(texts))  # type: ignore[arg-type]
    assert len(inner.passes) < len(calls)  # callers that waited shared a pass
    assert sorted(t for p in inner.passes for t in p) == sorted(t for c in calls for t in c)
    assert (embedder.model_id, embedder.dim) == (inner.model_id, 32)


def test_coalescing_alone_runs_at_once_and_big_calls_go_straight_through() -> None:
    inner = _SlowHashing()
    embedder = CoalescingEmbedder(inner, max_texts=2)
    embedder.embed(["one"])
    embedder.embed(["a", "b", "c"])
    assert inner.passes == [["one"], ["a", "b", "c"]]
    assert embedder.embed([]).shape == (0, 32)


def test_a_failed_pass_fails_every_caller_in_it_and_the_next_pass_works() -> None:
    inner = _SlowHashing(fail_on="poison")
    embedder = CoalescingEmbedder(inner)
    results = _call_together(embedder, [["poison"], ["fine"], ["also fine"]])
    failed = [r for r in results if isinstance(r, RuntimeError)]
    assert failed  # the poisoned caller at least, and whoever shared its pass
    assert isinstance(results[0], RuntimeError)
    assert embedder.embed(["after"]).shape == (1, 32)
