"""Re-analysis that keeps themes stable: fresh discovery reconciled with the stored themes.

A fresh HDBSCAN run on grown data reshuffles cluster boundaries, splits and merges by chance;
product managers need a theme to stay the same theme. So a re-analysis:

1. keeps every stored theme that still attracts at least ``min_cluster_size`` items under the
   incremental rule (nearest centroid, clear similarity), or that the fresh clusters continue;
2. adds a fresh cluster as a new theme only when no stored theme claims it (matching) and its
   centroid is far from every kept theme (cosine below ``new_theme_max_similarity``);
3. assigns every item with the incremental rule over the kept and new centroids, except that an
   item keeps its previous theme while that theme stays within ``stickiness`` of the best
   similarity (hysteresis: boundary items do not flip between runs);
4. recomputes centroids, keywords, labels and quotes from the final members.

New items therefore land exactly where the incremental path would put them, and earlier items
move only on clear evidence. Lineage: kept themes continue; a stored theme that is dropped is
retired, or merged into the theme that received most of its items; a new theme whose items
mostly came from one stored theme is a split of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from nlp.assign import CONFIDENCE_TEMPERATURE, assign_to_themes
from nlp.discovery import describe_themes
from nlp.labels import PhraseEmbedder
from nlp.matching import CurrentCluster, LineageEvent, PriorTheme, match_themes
from nlp.types import DiscoveryParams, DiscoveryResult

STICKINESS = 0.05
NEW_THEME_MAX_SIMILARITY = 0.8


@dataclass(frozen=True)
class PriorState:
    """Stored themes (ids, centroids) and each item's previous theme index (-1: none)."""

    theme_ids: tuple[str, ...]
    centroids: npt.NDArray[np.float32] = field(repr=False)
    previous: npt.NDArray[np.int64] = field(repr=False)


@dataclass(frozen=True)
class Continuation:
    """The reconciled result, the stored id of each theme (None: new) and the lineage."""

    result: DiscoveryResult
    theme_ids: tuple[str | None, ...]
    events: tuple[LineageEvent, ...]


def _unit(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: npt.NDArray[np.float32] = (matrix / norms).astype(np.float32)
    return unit


def _members(labels: npt.NDArray[np.int64], index: int) -> frozenset[int]:
    return frozenset(np.flatnonzero(labels == index).tolist())


def _select_themes(
    embeddings: npt.NDArray[np.float32],
    fresh: DiscoveryResult,
    prior: PriorState,
    params: DiscoveryParams,
) -> tuple[list[int], list[int]]:
    """Indices of the stored themes kept and of the fresh clusters added as new themes."""
    priors = [
        PriorTheme(tid, prior.centroids[k], _members(prior.previous, k))
        for k, tid in enumerate(prior.theme_ids)
    ]
    current = [
        CurrentCluster(t.index, t.centroid, _members(fresh.labels, t.index)) for t in fresh.themes
    ]
    matching = match_themes(priors, current)
    continued = {tid for tid in matching.theme_ids if tid is not None}
    pull = assign_to_themes(
        embeddings,
        prior.centroids,
        min_similarity=params.assign_min_similarity,
        min_margin=params.assign_min_margin,
    )
    counts = np.bincount(pull.labels[pull.labels >= 0], minlength=len(prior.theme_ids))
    kept = [
        k
        for k, tid in enumerate(prior.theme_ids)
        if tid in continued or counts[k] >= params.min_cluster_size
    ]
    kept_centroids = _unit(prior.centroids[kept]) if kept else prior.centroids[:0]
    added: list[int] = []
    for theme, tid in zip(fresh.themes, matching.theme_ids, strict=True):
        centroid = _unit(theme.centroid[None, :])[0]
        near = float(np.max(kept_centroids @ centroid)) if len(kept) else -1.0
        if tid is None and near < NEW_THEME_MAX_SIMILARITY:
            added.append(theme.index)
    return kept, added


def _assign(
    embeddings: npt.NDArray[np.float32],
    centroids: npt.NDArray[np.float32],
    previous: npt.NDArray[np.int64],
    params: DiscoveryParams,
) -> npt.NDArray[np.int64]:
    """Incremental rule with hysteresis for items that had a theme before."""
    best = assign_to_themes(
        embeddings,
        centroids,
        min_similarity=params.assign_min_similarity,
        min_margin=params.assign_min_margin,
    )
    labels = best.labels.copy()
    rows = np.flatnonzero((previous >= 0) & (previous != labels))
    if rows.size:
        own = np.einsum("ij,ij->i", embeddings[rows], centroids[previous[rows]])
        sticky = (own >= params.assign_min_similarity) & (own >= best.similarity[rows] - STICKINESS)
        labels[rows[sticky]] = previous[rows[sticky]]
    return labels


def _confidence(
    embeddings: npt.NDArray[np.float32],
    centroids: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
) -> npt.NDArray[np.float32]:
    confidence = np.zeros(labels.shape[0], dtype=np.float32)
    rows = np.flatnonzero(labels >= 0)
    for start in range(0, rows.size, 20_000):
        chunk = rows[start : start + 20_000]
        sims = embeddings[chunk] @ centroids.T
        own = sims[np.arange(chunk.size), labels[chunk]]
        confidence[chunk] = 1.0 / np.exp((sims - own[:, None]) / CONFIDENCE_TEMPERATURE).sum(1)
    return confidence


def _lineage(
    kept: Sequence[int], added: Sequence[int], prior: PriorState, labels: npt.NDArray[np.int64]
) -> tuple[tuple[str | None, ...], tuple[LineageEvent, ...]]:
    ids: list[str | None] = [prior.theme_ids[k] for k in kept] + [None] * len(added)
    events = [LineageEvent("continued", i, (prior.theme_ids[k],)) for i, k in enumerate(kept)]
    for offset in range(len(added)):
        index = len(kept) + offset
        origins = Counter(prior.previous[(labels == index) & (prior.previous >= 0)].tolist())
        source = origins.most_common(1)[0][0] if origins else None
        if source is not None and source in kept and origins[source] * 2 >= (labels == index).sum():
            events.append(LineageEvent("split", index, (prior.theme_ids[source],)))
        else:
            events.append(LineageEvent("new", index, ()))
    for k, tid in enumerate(prior.theme_ids):
        if k in kept:
            continue
        receivers = Counter(labels[(prior.previous == k) & (labels >= 0)].tolist())
        target = receivers.most_common(1)[0][0] if receivers else None
        if target is not None and target < len(kept):
            events.append(LineageEvent("merged", target, (prior.theme_ids[kept[target]], tid)))
        else:
            events.append(LineageEvent("retired", None, (tid,)))
    return tuple(ids), tuple(events)


def continue_themes(
    embeddings: npt.NDArray[np.float32],
    texts: Sequence[str],
    fresh: DiscoveryResult,
    prior: PriorState,
    *,
    seed: int = 42,
    phrase_embedder: PhraseEmbedder | None = None,
) -> Continuation:
    """Reconcile a fresh discovery with the stored themes (see the module docstring)."""
    params = fresh.params
    kept, added = _select_themes(embeddings, fresh, prior, params)
    fresh_centroids = np.stack([t.centroid for t in fresh.themes]) if fresh.themes else None
    parts = [prior.centroids[kept]] if kept else []
    if added and fresh_centroids is not None:
        parts.append(fresh_centroids[added])
    if not parts:
        return Continuation(fresh, (None,) * len(fresh.themes), ())
    centroids = _unit(np.concatenate(parts).astype(np.float32))
    remap = np.full(len(prior.theme_ids) + 1, -1, dtype=np.int64)
    remap[np.asarray(kept, dtype=np.int64)] = np.arange(len(kept))
    previous = remap[prior.previous]  # -1 stays -1 through the sentinel slot
    labels = _assign(embeddings, centroids, previous, params)
    alive = np.bincount(labels[labels >= 0], minlength=centroids.shape[0]) > 0
    if not alive.all():  # a theme that kept no item is dropped (retired or merged)
        index = np.cumsum(alive) - 1
        labels = np.where(labels >= 0, index[np.maximum(labels, 0)], -1)
        kept = [k for i, k in enumerate(kept) if alive[i]]
        added = [a for j, a in enumerate(added) if alive[len(alive) - len(added) + j]]
    themes = describe_themes(embeddings, texts, labels, params, seed, phrase_embedder)
    final_centroids = _unit(np.stack([t.centroid for t in themes])) if themes else centroids
    result = DiscoveryResult(
        labels=labels,
        confidence=_confidence(embeddings, final_centroids, labels),
        themes=themes,
        params=params,
        timings=dict(fresh.timings),
        n_clustered=fresh.n_clustered,
        n_assigned_from_noise=int(np.sum(labels >= 0)) - fresh.n_clustered,
    )
    ids, events = _lineage(kept, added, prior, labels)
    return Continuation(result, ids, events)
