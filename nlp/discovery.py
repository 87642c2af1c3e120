"""Theme discovery: reduce, cluster, merge, assign noise, then describe each theme.

Pipeline: UMAP (cosine, a few dimensions) -> HDBSCAN -> merge clusters with near-identical
centroids -> assign noise items to the nearest centroid when the similarity is clear (the
incremental path, nlp.assign) -> c-TF-IDF keywords, phrase labels, representatives. Above
params.sample_size items, the pipeline runs on a seeded sample and the rest of the items go
through the incremental path, which keeps 1M items within minutes.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from nlp.assign import CONFIDENCE_TEMPERATURE, assign_to_themes
from nlp.clustering import centroids_of, hdbscan_labels, merge_similar, propagate_to_noise
from nlp.granularity import (
    LADDER_FLOOR,
    CondensedCuts,
    pick_cut,
    score_rows,
    silhouettes,
    size_ladder,
)
from nlp.keywords import class_tfidf
from nlp.labels import PhraseEmbedder, make_labels
from nlp.reduction import reduce_dimensions
from nlp.representatives import pick_representatives
from nlp.types import DiscoveredTheme, DiscoveryParams, DiscoveryResult

# Smallest theme HDBSCAN may form in a sample (the floor of DiscoveryParams.for_size too).
MIN_SAMPLE_CLUSTER = 15

logger = logging.getLogger(__name__)


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self._last
        self._last = now


def _finish(
    embeddings: npt.NDArray[np.float32],
    reduced: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
    params: DiscoveryParams,
) -> npt.NDArray[np.int64]:
    """HDBSCAN labels -> themes: noise propagated where clear, near-duplicates merged."""
    if labels.max(initial=-1) < 0:
        return labels
    propagated = propagate_to_noise(reduced, labels, min_vote=params.noise_min_vote)
    # UMAP puts every point near some cluster: keep a label only when the item is also
    # similar to that cluster in the original space.
    # The same holds for HDBSCAN members placed into a cluster by UMAP alone.
    centroids = centroids_of(embeddings, labels, int(labels.max(initial=-1)) + 1)
    rows = np.flatnonzero(propagated >= 0)
    similar = np.einsum("ij,ij->i", embeddings[rows], centroids[propagated[rows]])
    propagated[rows[similar < params.assign_min_similarity]] = -1
    return merge_similar(embeddings, propagated, params.merge_similarity)


def _cluster(
    embeddings: npt.NDArray[np.float32], params: DiscoveryParams, seed: int, clock: _Clock
) -> tuple[npt.NDArray[np.int64], int, int]:
    """Cluster labels of the items (noise propagated where clear), HDBSCAN's count, the size.

    With ``params.granularity == "data"`` every minimum size of the ladder is tried on one
    tree and the coarsest cut whose themes (after the incremental assignment of the rest) have
    a silhouette within one standard error of the best wins; see :mod:`nlp.granularity`.
    """
    reduced = reduce_dimensions(
        embeddings,
        method=params.reduction,
        n_components=params.n_components,
        n_neighbors=params.n_neighbors,
        seed=seed,
    )
    clock.lap("reduce")
    if params.granularity == "fixed":
        raw = hdbscan_labels(
            reduced,
            min_cluster_size=params.min_cluster_size,
            min_samples=params.min_samples,
            selection_method=params.cluster_selection_method,
        )
        clock.lap("cluster")
        labels = _finish(embeddings, reduced, raw, params)
        clock.lap("merge")
        return labels, int(np.sum(raw >= 0)), params.min_cluster_size
    cuts = CondensedCuts(reduced, min_samples=params.min_samples)
    clock.lap("cluster")
    scored = score_rows(embeddings.shape[0], seed)
    cuts_tried: list[tuple[npt.NDArray[np.int64], int, int]] = []
    scores: list[npt.NDArray[np.float64]] = []
    sizes = size_ladder(params.min_cluster_size, embeddings.shape[0])
    prefer = None
    if params.prior_min_cluster_size is not None:
        prior = max(LADDER_FLOOR, min(params.prior_min_cluster_size, embeddings.shape[0]))
        sizes = tuple(sorted({*sizes, prior}))
        prefer = sizes.index(prior)
    for size in sizes:
        raw = cuts.labels(size, params.cluster_selection_method)
        labels = _finish(embeddings, reduced, raw, params)
        assigned, _ = _assign_rest(embeddings, labels, params, with_confidence=False)
        scores.append(silhouettes(embeddings, assigned, scored))
        cuts_tried.append((labels, int(np.sum(raw >= 0)), size))
        logger.debug(
            "min_cluster_size %d: %d themes, silhouette %.4f",
            size,
            labels.max(initial=-1) + 1,
            float(scores[-1].mean()) if scores[-1].size else 0.0,
        )
    clock.lap("granularity")
    return cuts_tried[pick_cut(scores, prefer)]


def _assign_rest(
    embeddings: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
    params: DiscoveryParams,
    *,
    with_confidence: bool = True,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Give unlabelled items a theme through the incremental path; set everyone's confidence."""
    n_themes = int(labels.max(initial=-1)) + 1
    centroids = centroids_of(embeddings, labels, n_themes)
    final = labels.copy()
    noise = np.flatnonzero(labels < 0)
    strict = assign_to_themes(
        embeddings[noise],
        centroids,
        min_similarity=params.assign_min_similarity,
        min_margin=params.assign_min_margin,
    )
    final[noise] = strict.labels
    confidence = np.zeros(final.shape[0], dtype=np.float32)
    if not with_confidence:
        return final, confidence
    # Confidence is the softmax probability of the item's own theme (see nlp.assign): the
    # nearest theme's share times exp((own - nearest similarity) / T).
    rows = np.flatnonzero(final >= 0)
    nearest = assign_to_themes(embeddings[rows], centroids, min_similarity=-1.0, min_margin=-1.0)
    own = np.einsum("ij,ij->i", embeddings[rows], centroids[final[rows]])
    ratio = np.exp(np.minimum(own - nearest.similarity, 0.0) / CONFIDENCE_TEMPERATURE)
    confidence[rows] = np.clip(ratio * nearest.confidence, 1e-6, 1.0)
    return final, confidence


def sample_params(params: DiscoveryParams, n: int, n_sample: int) -> DiscoveryParams:
    """Parameters for clustering ``n_sample`` of ``n`` items: the same themes, fewer members.

    A theme of ``min_cluster_size`` items in the whole data has only its share of that in a
    sample, so the minimum shrinks with the sample fraction (never below ``MIN_SAMPLE_CLUSTER``).
    Without this a 20k sample of 100k items could only find themes five times larger than a
    full run finds (measured: banking77 items in a 100k mix, NMI 0.60 vs 0.80 for a full run).
    """
    if n_sample >= n:
        return params
    scaled = max(MIN_SAMPLE_CLUSTER, round(params.min_cluster_size * n_sample / n))
    prior = params.prior_min_cluster_size
    if prior is not None:
        prior = min(prior, max(MIN_SAMPLE_CLUSTER, round(prior * n_sample / n)))
    return dataclasses.replace(
        params,
        min_cluster_size=min(scaled, params.min_cluster_size),
        prior_min_cluster_size=prior,
    )


def discover_themes(
    embeddings: npt.NDArray[np.float32],
    texts: Sequence[str],
    *,
    seed: int = 42,
    params: DiscoveryParams | None = None,
    sentiments: Sequence[float] | None = None,
    phrase_embedder: PhraseEmbedder | None = None,
) -> DiscoveryResult:
    """Discover themes in unit-norm embeddings of texts; deterministic for a given seed.

    ``phrase_embedder`` (the model that embedded the texts) lets labels be ranked by their
    closeness to the theme's centroid as well as by c-TF-IDF (see :mod:`nlp.labels`).
    """
    del sentiments  # Part of the contract; the domain layer computes each theme's mix.
    n = embeddings.shape[0]
    if len(texts) != n:
        raise ValueError(f"{len(texts)} texts but {n} embeddings")
    params = params or DiscoveryParams.for_size(n)
    embeddings = np.asarray(embeddings, dtype=np.float32)
    clock = _Clock()
    rng = np.random.default_rng(seed)
    if n > params.sample_size:
        sample = np.sort(rng.choice(n, params.sample_size, replace=False))
    else:
        sample = np.arange(n)
    sample_labels, n_clustered, size = _cluster(
        embeddings[sample], sample_params(params, n, sample.size), seed, clock
    )
    if params.granularity == "data":
        # The size picked in the sample, at the scale of all items (what a theme needs to
        # be kept by a later run, nlp.continuity).
        params = dataclasses.replace(
            params, min_cluster_size=max(size, round(size * n / max(1, sample.size)))
        )
    labels = np.full(n, -1, dtype=np.int64)
    labels[sample] = sample_labels
    labels, confidence = _assign_rest(embeddings, labels, params)
    n_assigned = int(np.sum(labels >= 0)) - n_clustered
    clock.lap("assign")
    themes = _describe(embeddings, texts, labels, params, seed, clock, phrase_embedder)
    logger.info("discovered %d themes in %d items", len(themes), n)
    return DiscoveryResult(
        labels=labels,
        confidence=confidence,
        themes=themes,
        params=params,
        timings=clock.timings,
        n_clustered=n_clustered,
        n_assigned_from_noise=n_assigned,
    )


def _describe(
    embeddings: npt.NDArray[np.float32],
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    params: DiscoveryParams,
    seed: int,
    clock: _Clock,
    phrase_embedder: PhraseEmbedder | None = None,
) -> tuple[DiscoveredTheme, ...]:
    n_themes = int(labels.max(initial=-1)) + 1
    if n_themes == 0:
        return ()
    centroids = centroids_of(embeddings, labels, n_themes)
    terms = class_tfidf(
        texts, labels, n_themes, min_df=params.keyword_min_df, top_n=params.n_keywords, seed=seed
    )
    clock.lap("keywords")
    weights = [_keyword_weights(terms.keywords[t]) for t in range(n_themes)]
    theme_labels = make_labels(
        texts,
        labels,
        terms.keywords,
        weights,
        centroids=centroids,
        embed=phrase_embedder,
        product_names=params.product_names,
        ranking=params.label_ranking,
    )
    clock.lap("labels")
    sizes = np.bincount(labels[labels >= 0], minlength=n_themes)
    themes = []
    for t in range(n_themes):
        members = np.flatnonzero(labels == t)
        reps = pick_representatives(
            embeddings, texts, members, centroids[t], count=params.n_representatives
        )
        themes.append(
            DiscoveredTheme(
                index=t,
                size=int(sizes[t]),
                label=theme_labels[t],
                keywords=terms.keywords[t],
                representative_indices=reps,
                centroid=centroids[t],
            )
        )
    clock.lap("representatives")
    return tuple(themes)


def _keyword_weights(keywords: Sequence[str]) -> dict[str, float]:
    """Weight (1 down to 0) of each word by the c-TF-IDF rank of its first keyword."""
    words: dict[str, float] = {}
    for rank, keyword in enumerate(keywords):
        for word in keyword.split():
            words.setdefault(word, 1.0 - rank / max(1, len(keywords)))
    return words


def describe_themes(
    embeddings: npt.NDArray[np.float32],
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    params: DiscoveryParams,
    seed: int = 42,
    phrase_embedder: PhraseEmbedder | None = None,
) -> tuple[DiscoveredTheme, ...]:
    """Keywords, label, quotes and centroid of each theme of a given labelling."""
    return _describe(embeddings, texts, labels, params, seed, _Clock(), phrase_embedder)
