"""Granularity of the themes chosen from the data: a ladder of minimum theme sizes, one tree.

HDBSCAN's hierarchy depends on ``min_samples`` only; ``min_cluster_size`` decides where the
tree is cut. So the mutual-reachability tree is built once and condensed at each size of a
geometric ladder around the size DiscoveryParams.for_size gives (from it over sqrt 2 to twice
it); each cut is finished into themes as a fixed size would be (noise propagation, merge,
assignment) and the cut whose themes have the highest mean silhouette in the original
embedding space wins. No gold labels: the silhouette of an item compares its mean cosine
distance to its own theme with that to the nearest other theme, so a cut that merges distinct
themes (members far from each other) and one that splits a theme (the nearest other theme as
close as its own) both score lower. Unassigned items score 0, as singletons do in the usual
definition, so a cut cannot win by leaving its hard items out.

With unit-norm vectors the mean cosine distance from x to the members of C is
1 - x . (sum of C) / |C|, so the exact silhouette costs one (items x themes) product instead
of all pairwise distances.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from nlp.types import SelectionMethod

# Smallest theme any cut may form; with min_samples=5 smaller clusters are noise-level.
LADDER_FLOOR = 5
# Each rung of the ladder is this factor above the one below (sqrt 2: 20, 28, 40, 56).
LADDER_RATIO = math.sqrt(2.0)
# Rungs below and above the centre (the size DiscoveryParams.for_size gives): from centre/sqrt 2
# to twice it. Not further down: in MiniLM space the silhouette keeps rising as themes shrink to
# paraphrase or template level (demo sample: 86 themes for 15 planted ones at size 5, the
# highest silhouette of all sizes; banking77 3,075 items: 159 themes for 77 intents at size 7),
# a level no reader wants as themes.
LADDER_BELOW, LADDER_ABOVE = 1, 2
# Silhouettes are averaged over at most this many items (a seeded sample; exact per item).
SCORE_SAMPLE = 5_000


def size_ladder(centre: int, n: int) -> tuple[int, ...]:
    """Candidate minimum theme sizes: geometric around ``centre``, centre/sqrt 2 to twice it.

    Never below LADDER_FLOOR, never above n (no cut of n items has a larger cluster).
    """
    sizes: list[int] = []
    for step in range(-LADDER_BELOW, LADDER_ABOVE + 1):
        size = min(max(LADDER_FLOOR, round(centre * LADDER_RATIO**step)), max(LADDER_FLOOR, n))
        if not sizes or size > sizes[-1]:
            sizes.append(size)
    return tuple(sizes)


class CondensedCuts:
    """HDBSCAN's single-linkage tree of reduced points, cut at any minimum cluster size."""

    def __init__(self, reduced: npt.NDArray[np.float32], *, min_samples: int) -> None:
        import hdbscan

        self._n = reduced.shape[0]
        self._tree: npt.NDArray[np.float64] | None = None
        if self._n < 2:
            return
        model = hdbscan.HDBSCAN(
            min_cluster_size=max(2, min(LADDER_FLOOR, self._n)),
            min_samples=min(min_samples, self._n - 1),
            metric="euclidean",
            core_dist_n_jobs=1,
        )
        model.fit(np.asarray(reduced, dtype=np.float64))
        self._tree = model.single_linkage_tree_.to_numpy()

    def labels(
        self, min_cluster_size: int, selection_method: SelectionMethod
    ) -> npt.NDArray[np.int64]:
        """Cluster labels (-1 noise) of the tree condensed at ``min_cluster_size``."""
        from hdbscan._hdbscan_tree import compute_stability, condense_tree, get_clusters

        if self._tree is None or self._n < max(2, min_cluster_size):
            return np.full(self._n, -1, dtype=np.int64)
        condensed = condense_tree(self._tree, min_cluster_size)
        stability = compute_stability(condensed)
        labels, _, _ = get_clusters(condensed, stability, selection_method, False, False, 0.0, 0)
        return np.asarray(labels, dtype=np.int64)


def silhouette(
    embeddings: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64] | None = None,
) -> float:
    """Mean cosine silhouette of ``rows`` (all items by default); unassigned items count 0."""
    values = silhouettes(embeddings, labels, rows)
    return float(values.mean()) if values.size else 0.0


def silhouettes(
    embeddings: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.float64]:
    """Cosine silhouette of each of ``rows`` (all items by default); unassigned items get 0.

    Exact: cluster sums give each item's mean distance to every cluster. Items alone in their
    cluster, and any labelling with fewer than two clusters, score 0.
    """
    n = embeddings.shape[0]
    rows = np.arange(n) if rows is None else rows
    n_clusters = int(labels.max(initial=-1)) + 1
    out = np.zeros(rows.size, dtype=np.float64)
    if rows.size == 0 or n_clusters < 2:
        return out
    member = labels >= 0
    sums = np.zeros((n_clusters, embeddings.shape[1]), dtype=np.float64)
    np.add.at(sums, labels[member], embeddings[member])
    counts = np.bincount(labels[member], minlength=n_clusters).astype(np.float64)
    inside = labels[rows] >= 0
    picked = rows[inside]
    if picked.size == 0:
        return out
    x = embeddings[picked].astype(np.float64)
    own = labels[picked]
    dots = x @ sums.T  # (items x clusters): x . sum of each cluster
    self_dot = np.einsum("ij,ij->i", x, x)
    own_count = counts[own]
    alone = own_count <= 1
    a = 1.0 - (dots[np.arange(picked.size), own] - self_dot) / np.maximum(own_count - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_dist = 1.0 - dots / counts[None, :]
    mean_dist[:, counts == 0] = np.inf
    mean_dist[np.arange(picked.size), own] = np.inf
    b = mean_dist.min(axis=1)
    s = (b - a) / np.maximum(np.maximum(a, b), 1e-12)
    s[alone] = 0.0
    out[inside] = s
    return out


def pick_cut(scores: list[npt.NDArray[np.float64]], prefer: int | None = None) -> int:
    """Index of the cut to keep, ``scores`` being per-item silhouettes from finest to coarsest.

    The one-standard-error rule: the coarsest cut whose mean is within one standard error of
    the best mean (the error of the paired per-item difference). A finer cut has to be better
    by more than the noise of the sample to win; themes a reader can take in beat a split
    the data does not clearly support.

    ``prefer`` (the cut at the previous run's size) wins whenever it is within one standard
    error of the best: two granularities the data cannot tell apart (the demo's templates vs
    its planted themes score alike) must not alternate between runs, since every switch
    retires and re-creates the themes people have named, linked and watched.
    """
    means = [float(values.mean()) if values.size else 0.0 for values in scores]
    best = int(np.argmax(means))

    def close_to_best(index: int) -> bool:
        difference = scores[best] - scores[index]
        if difference.size < 2:
            return index == best
        error = float(difference.std(ddof=1) / np.sqrt(difference.size))
        return means[best] - means[index] <= error

    if prefer is not None and 0 <= prefer < len(scores) and close_to_best(prefer):
        return prefer
    chosen = best
    for index in range(best + 1, len(scores)):
        if close_to_best(index):
            chosen = index
    return chosen


def score_rows(n: int, seed: int) -> npt.NDArray[np.int64]:
    """The seeded items whose silhouettes score a cut (all when n <= SCORE_SAMPLE)."""
    if n <= SCORE_SAMPLE:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, SCORE_SAMPLE, replace=False))
