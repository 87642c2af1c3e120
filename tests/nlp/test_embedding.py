"""Embedders return unit-norm float32 rows; the real model puts paraphrases close together."""

from __future__ import annotations

import numpy as np

from nlp.embedding import Embedder, HashingEmbedder, SentenceTransformerEmbedder


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
