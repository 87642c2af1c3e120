"""Frozen result and parameter types shared by the theme-discovery stages."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Reduction = Literal["umap", "pca", "none"]
SelectionMethod = Literal["eom", "leaf"]
LabelRanking = Literal["ctfidf", "centroid", "hybrid"]
# "data": min_cluster_size chosen per run from a ladder by silhouette (nlp.granularity);
# "fixed": params.min_cluster_size as given.
Granularity = Literal["data", "fixed"]

# Above this many items, discovery runs on a seeded sample and the rest is assigned through
# the incremental path (assign_to_themes); keeps 100k-1M items within the time budget.
DEFAULT_SAMPLE_SIZE = 20_000


@dataclass(frozen=True)
class DiscoveryParams:
    """Settings of one discovery run; DiscoveryParams.for_size(n) derives them from n.

    With ``granularity="data"`` (the default) each run picks its minimum theme size from a
    ladder by a label-free score (see :mod:`nlp.granularity`) and the result's params carry
    the size it picked; ``min_cluster_size`` is then only the starting value.
    """

    min_cluster_size: int = 10
    granularity: Granularity = "data"
    min_samples: int = 5
    reduction: Reduction = "umap"
    n_components: int = 10  # 5 vs 10 on banking77, seeds 42/7/1: NMI 0.815-0.821 vs 0.821-0.823
    n_neighbors: int = 15
    cluster_selection_method: SelectionMethod = "leaf"
    sample_size: int = DEFAULT_SAMPLE_SIZE
    noise_min_vote: float = 0.5
    merge_similarity: float = 0.88
    # An item joins its nearest theme at cosine >= this (in discovery, and for new feedback
    # through the incremental path). 0.35 left 9-11% of clinc150 at 5 per intent unassigned
    # (intents too small to form a theme); at 0.25 every set of bench/theme_sizes stays under
    # 5% for an NMI cost of 0.00-0.02 (bench/results/theme_sizes.json, README).
    assign_min_similarity: float = 0.25
    assign_min_margin: float = 0.0
    n_keywords: int = 10
    # Closest distinct members kept per theme, best first (nlp.representatives): the first five
    # are the quotes its page shows; all of them score link suggestions (voc.request.ranking),
    # where 40 instead of 5 moved banking77 top-1 0.793 -> 0.816 and clinc150 0.936 -> 0.923
    # (bench/request_links.py, medians over three seeds).
    n_representatives: int = 40
    keyword_min_df: int = 2
    # the product's own names never start or end a label ("Recommend Quillo")
    product_names: tuple[str, ...] = ()
    label_ranking: LabelRanking = "centroid"  # see nlp.labels and bench/theme_labels.py
    # The minimum size the previous run chose (at the scale of its items), when there was one:
    # with data granularity its cut joins the ladder and is kept while its silhouette is within
    # one standard error of the best, so a re-run does not flip between two near-equal
    # granularities and churn every theme id (see nlp.granularity.pick_cut).
    prior_min_cluster_size: int | None = None

    @classmethod
    def for_size(cls, n: int) -> DiscoveryParams:
        """Return defaults scaled to a data set of n items (n counts all items, not a sample).

        The granularity is chosen from the data at each run; ``min_cluster_size`` here is the
        size a ``granularity="fixed"`` run uses.
        """
        effective = min(n, DEFAULT_SAMPLE_SIZE)
        # Grows like sqrt(n): 15 up to 900 items, 50 at 10k, 71 at 20k (the sample cap).
        min_cluster_size = max(15, round(math.sqrt(effective) / 2))
        return cls(
            min_cluster_size=min_cluster_size,
            min_samples=5,
            keyword_min_df=max(1, min(5, int(math.log10(max(effective, 10))) - 1)),
        )


@dataclass(frozen=True)
class Assignment:
    """Nearest-theme assignment of items (-1 where no theme is clearly nearest)."""

    labels: npt.NDArray[np.int64]
    confidence: npt.NDArray[np.float32]
    similarity: npt.NDArray[np.float32]


@dataclass(frozen=True)
class DiscoveredTheme:
    """One discovered theme: its members' summary, label and centroid."""

    index: int
    size: int
    label: str
    keywords: tuple[str, ...]
    representative_indices: tuple[int, ...]
    centroid: npt.NDArray[np.float32] = field(repr=False)


@dataclass(frozen=True)
class DiscoveryResult:
    """Outcome of discover_themes: per-item labels and confidence, themes, timings."""

    labels: npt.NDArray[np.int64]
    confidence: npt.NDArray[np.float32]
    themes: tuple[DiscoveredTheme, ...]
    params: DiscoveryParams
    timings: dict[str, float]
    n_clustered: int
    n_assigned_from_noise: int

    @property
    def coverage(self) -> float:
        """Share of items that belong to a theme."""
        return float(np.mean(self.labels >= 0)) if self.labels.size else 0.0
