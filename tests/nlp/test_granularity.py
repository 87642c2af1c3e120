"""Granularity chosen from the data: synthetic clusters whose right answer is known."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.metrics import adjusted_rand_score, homogeneity_score

from nlp.clustering import hdbscan_labels
from nlp.discovery import discover_themes
from nlp.granularity import CondensedCuts, pick_cut, silhouette, size_ladder
from nlp.types import DiscoveryParams

DIM = 384


def _unit(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    out: npt.NDArray[np.float32] = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    return out


def blobs(
    sizes: list[int], spread: float, seed: int, centres: npt.NDArray[np.float64] | None = None
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Unit vectors around random (or given) centres; ``spread`` is the noise norm."""
    rng = np.random.default_rng(seed)
    if centres is None:
        centres = rng.normal(size=(len(sizes), DIM))
    centres = _unit(centres).astype(np.float64)
    gold = np.repeat(np.arange(len(sizes)), sizes)
    noise = rng.normal(size=(gold.size, DIM)) * spread / np.sqrt(DIM)
    return _unit(centres[gold] + noise), gold


def two_scales(
    seed: int,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """4 groups of 6 tight sub-clusters (40 items each): embeddings, group and sub-cluster."""
    rng = np.random.default_rng(seed)
    groups = rng.normal(size=(4, DIM))
    groups /= np.linalg.norm(groups, axis=1, keepdims=True)
    # Sub-centres at cosine ~0.7 to their group centre and ~0.5 to their siblings.
    subs = np.repeat(groups, 6, axis=0) + rng.normal(size=(24, DIM)) / np.sqrt(DIM)
    embeddings, sub = blobs([40] * 24, 0.6, seed + 1, centres=subs)
    return embeddings, sub // 6, sub


def texts_of(gold: npt.NDArray[np.int64]) -> list[str]:
    return [f"topic{g} word{g} item {i % 7}" for i, g in enumerate(gold.tolist())]


def test_the_ladder_runs_from_its_centre_over_sqrt_2_to_twice_it() -> None:
    assert size_ladder(28, 3_000) == (20, 28, 40, 56)
    assert size_ladder(6, 3_000) == (5, 6, 8, 12)
    assert size_ladder(28, 30) == (20, 28, 30)


def test_a_cut_of_the_shared_tree_equals_hdbscan_at_that_size() -> None:
    points, _ = blobs([60, 40, 25, 80], 1.5, seed=3)
    reduced = points[:, :10] * 10
    cuts = CondensedCuts(reduced, min_samples=5)
    for size in (5, 10, 20, 40):
        for method in ("leaf", "eom"):
            direct = hdbscan_labels(
                reduced, min_cluster_size=size, min_samples=5, selection_method=method
            )
            assert adjusted_rand_score(direct, cuts.labels(size, method)) == 1.0


def test_silhouette_is_exact_and_counts_unassigned_items_as_zero() -> None:
    from sklearn.metrics import silhouette_samples

    points, gold = blobs([30, 20, 25], 1.2, seed=5)
    expected = silhouette_samples(points, gold, metric="cosine")
    assert silhouette(points, gold) == pytest.approx(float(expected.mean()), abs=1e-5)
    partial = gold.copy()
    partial[:10] = -1
    kept = np.flatnonzero(partial >= 0)
    inner = silhouette_samples(points[kept], partial[kept], metric="cosine")
    assert silhouette(points, partial) == pytest.approx(float(inner.sum()) / 75, abs=1e-5)
    # Merging two clusters or splitting one both score lower than the true partition.
    merged = np.where(gold == 2, 1, gold)
    split = np.where((gold == 0) & (np.arange(gold.size) % 2 == 0), 3, gold)
    assert silhouette(points, merged) < silhouette(points, gold)
    assert silhouette(points, split) < silhouette(points, gold)


def test_a_finer_cut_wins_only_by_more_than_its_standard_error() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(0.2, 0.1, size=2_000)
    clearly_worse = base - 0.05 + rng.normal(0, 0.01, size=2_000)
    within_noise = base - 0.0001 + rng.normal(0, 0.05, size=2_000)
    assert pick_cut([base, within_noise]) == 1
    assert pick_cut([base, clearly_worse]) == 0
    assert pick_cut([clearly_worse, base, within_noise]) == 2
    assert pick_cut([base]) == 0


def test_the_previous_runs_cut_is_kept_while_the_data_cannot_tell_it_from_the_best() -> None:
    rng = np.random.default_rng(5)
    base = rng.normal(0.3, 0.1, size=2_000)
    within_noise = base - 0.0001 + rng.normal(0, 0.05, size=2_000)
    clearly_worse = base - 0.05 + rng.normal(0, 0.01, size=2_000)
    # finest first: the rule alone would take the coarser near-equal cut (index 2)
    assert pick_cut([within_noise, base, within_noise]) == 2
    assert pick_cut([within_noise, base, within_noise], prefer=0) == 0
    assert pick_cut([clearly_worse, base, within_noise], prefer=0) == 2
    assert pick_cut([base, clearly_worse], prefer=7) == 0  # an unknown index is ignored


@pytest.mark.parametrize(
    ("sizes", "seed"),
    [([30] * 10, 11), ([25] * 120, 12)],
    ids=["300 items, 10 themes of 30", "3000 items, 120 themes of 25"],
)
def test_clear_clusters_are_recovered_at_any_size(sizes: list[int], seed: int) -> None:
    # Themes of 25 items among 3,000: DiscoveryParams.for_size's fixed minimum (27) at this
    # size cannot form them; the size chosen from the data can.
    embeddings, gold = blobs(sizes, 0.8, seed)
    result = discover_themes(embeddings, texts_of(gold), seed=seed)
    assert adjusted_rand_score(gold, result.labels) > 0.9
    assert result.coverage > 0.95
    assert result.params.min_cluster_size <= min(sizes)


def test_the_fixed_size_of_earlier_versions_merges_themes_of_25_in_3000() -> None:
    # The contrast of the test above: the same data at the fixed size of earlier versions.
    embeddings, gold = blobs([25] * 120, 0.8, 12)
    size = DiscoveryParams.for_size(3000).min_cluster_size
    assert size > 25
    params = DiscoveryParams(min_cluster_size=size, granularity="fixed")
    fixed = discover_themes(embeddings, texts_of(gold), seed=12, params=params)
    assert adjusted_rand_score(gold, fixed.labels) < 0.9
    assert fixed.params.min_cluster_size == size


def test_two_scales_give_one_level_deterministically() -> None:
    embeddings, group, sub = two_scales(21)
    texts = texts_of(sub)
    result = discover_themes(embeddings, texts, seed=4)
    again = discover_themes(embeddings, texts, seed=4)
    assert np.array_equal(result.labels, again.labels)
    assert result.params.min_cluster_size == again.params.min_cluster_size
    # Themes never mix the big groups, and the result is one of the two levels, not a blend.
    assert homogeneity_score(group, result.labels) > 0.95
    fine = adjusted_rand_score(sub, result.labels)
    coarse = adjusted_rand_score(group, result.labels)
    assert max(fine, coarse) > 0.9
