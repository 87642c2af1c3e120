"""Density clustering (HDBSCAN) and merging of near-duplicate clusters."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nlp.types import SelectionMethod


def hdbscan_labels(
    reduced: npt.NDArray[np.float32],
    *,
    min_cluster_size: int,
    min_samples: int,
    selection_method: SelectionMethod,
) -> npt.NDArray[np.int64]:
    """Cluster points with HDBSCAN; -1 marks noise. Needs no number of clusters."""
    import hdbscan

    if reduced.shape[0] < max(2, min_cluster_size):
        return np.full(reduced.shape[0], -1, dtype=np.int64)
    model = hdbscan.HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        cluster_selection_method=selection_method,
        metric="euclidean",
        core_dist_n_jobs=1,
    )
    return np.asarray(model.fit_predict(reduced.astype(np.float64)), dtype=np.int64)


def centroids_of(
    embeddings: npt.NDArray[np.float32], labels: npt.NDArray[np.int64], n_clusters: int
) -> npt.NDArray[np.float32]:
    """Return L2-normalised mean embeddings of each cluster (rows of zeros for empty ones)."""
    sums = np.zeros((n_clusters, embeddings.shape[1]), dtype=np.float64)
    member = labels >= 0
    np.add.at(sums, labels[member], embeddings[member])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: npt.NDArray[np.float32] = (sums / norms).astype(np.float32)
    return out


def merge_similar(
    embeddings: npt.NDArray[np.float32], labels: npt.NDArray[np.int64], threshold: float
) -> npt.NDArray[np.int64]:
    """Merge clusters whose centroids have cosine similarity >= threshold; relabel 0..k-1."""
    n_clusters = int(labels.max(initial=-1)) + 1
    if n_clusters < 2 or threshold >= 1.0:
        return _relabel_by_size(labels)
    centroids = centroids_of(embeddings, labels, n_clusters)
    sims = centroids @ centroids.T
    np.fill_diagonal(sims, -1.0)
    parent = list(range(n_clusters))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(*np.nonzero(np.triu(sims >= threshold)), strict=True):
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(c) for c in range(n_clusters)], dtype=np.int64)
    merged = np.where(labels >= 0, roots[np.maximum(labels, 0)], -1)
    return _relabel_by_size(merged)


def _relabel_by_size(labels: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Renumber clusters 0..k-1 by decreasing size (ties by old id) for stable output."""
    ids, counts = np.unique(labels[labels >= 0], return_counts=True)
    order = sorted(range(ids.size), key=lambda i: (-counts[i], ids[i]))
    mapping = np.full(int(labels.max(initial=-1)) + 2, -1, dtype=np.int64)
    for new, i in enumerate(order):
        mapping[ids[i]] = new
    return np.where(labels >= 0, mapping[np.maximum(labels, 0)], -1).astype(np.int64)


def propagate_to_noise(
    reduced: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
    *,
    n_neighbors: int = 15,
    min_vote: float = 0.5,
) -> npt.NDArray[np.int64]:
    """Label noise points by a distance-weighted vote of their clustered reduced-space neighbours.

    The reduced space separates themes better than centroids in the original space, so the
    full run labels its own noise here; items whose vote share is below min_vote stay -1.
    """
    from sklearn.neighbors import NearestNeighbors

    clustered = np.flatnonzero(labels >= 0)
    noise = np.flatnonzero(labels < 0)
    out = labels.copy()
    if clustered.size == 0 or noise.size == 0:
        return out
    k = min(n_neighbors, clustered.size)
    index = NearestNeighbors(n_neighbors=k).fit(reduced[clustered])
    distances, neighbours = index.kneighbors(reduced[noise])
    weights = 1.0 / (distances + 1e-6)
    votes = labels[clustered][neighbours]
    n_clusters = int(labels.max()) + 1
    tally = np.zeros((noise.size, n_clusters), dtype=np.float64)
    np.add.at(tally, (np.repeat(np.arange(noise.size), k), votes.ravel()), weights.ravel())
    best = np.argmax(tally, axis=1)
    share = tally[np.arange(noise.size), best] / tally.sum(axis=1)
    out[noise] = np.where(share >= min_vote, best, -1)
    return out
