"""Incremental path: assign items to existing themes by centroid similarity.

Confidence of an assignment is the softmax probability of the chosen theme over all themes,
computed from cosine similarities with a temperature of 0.05 (a 0.1 similarity lead is a
factor e^2 in odds), so it is 1.0 when one theme is clearly nearest and drops towards
1/(number of close themes) when several are equally near. Unassigned items get 0.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nlp.types import Assignment

CONFIDENCE_TEMPERATURE = 0.05
# Bounds the (batch x themes) similarity block: 1M items x 500 themes stays near 16 MB a batch.
_BATCH_ELEMENTS = 4_000_000


def _normalise_rows(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: npt.NDArray[np.float32] = (vectors / norms).astype(np.float32, copy=False)
    return out


def assign_to_themes(
    embeddings: npt.NDArray[np.float32],
    centroids: npt.NDArray[np.float32],
    *,
    min_similarity: float,
    min_margin: float,
) -> Assignment:
    """Assign each item to the most similar centroid when it is similar and clearly nearest."""
    n = embeddings.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    confidence = np.zeros(n, dtype=np.float32)
    similarity = np.zeros(n, dtype=np.float32)
    if n == 0 or centroids.shape[0] == 0:
        return Assignment(labels=labels, confidence=confidence, similarity=similarity)
    unit_centroids = _normalise_rows(np.asarray(centroids, dtype=np.float32))
    k = unit_centroids.shape[0]
    batch = max(1, _BATCH_ELEMENTS // k)
    for start in range(0, n, batch):
        block = np.asarray(embeddings[start : start + batch], dtype=np.float32)
        sims = _normalise_rows(block) @ unit_centroids.T
        best = np.argmax(sims, axis=1)
        rows = np.arange(sims.shape[0])
        best_sim = sims[rows, best]
        if k > 1:
            second = np.partition(sims, k - 2, axis=1)[:, k - 2]
        else:
            second = np.full_like(best_sim, -1.0)
        ok = (best_sim >= min_similarity) & (best_sim - second >= min_margin)
        logits = (sims - best_sim[:, None]) / CONFIDENCE_TEMPERATURE
        prob = 1.0 / np.exp(logits).sum(axis=1)
        end = start + sims.shape[0]
        labels[start:end] = np.where(ok, best, -1)
        confidence[start:end] = np.where(ok, prob, 0.0)
        similarity[start:end] = best_sim
    return Assignment(labels=labels, confidence=confidence, similarity=similarity)
