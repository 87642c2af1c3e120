"""Parent grouping of theme centroids (nlp.hierarchy) on a known two-level structure."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.metrics import adjusted_rand_score

from nlp.hierarchy import (
    cut,
    group_label,
    group_themes,
    parent_range,
    pick_parents,
    ward_merges,
    weighted_silhouette,
)


def _two_levels(
    n_parents: int, per_parent: int, *, dim: int = 32, seed: int = 0
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Theme centroids: ``per_parent`` themes scattered around each of ``n_parents`` axes."""
    rng = np.random.default_rng(seed)
    axes = np.eye(dim)[:n_parents]
    rows, truth = [], []
    for p in range(n_parents):
        for _ in range(per_parent):
            rows.append(axes[p] + 0.25 * rng.standard_normal(dim) / np.sqrt(dim))
            truth.append(p)
    points = np.asarray(rows, dtype=np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points, np.asarray(truth, dtype=np.int64)


def test_recovers_the_parents_of_a_two_level_structure() -> None:
    centroids, truth = _two_levels(5, 6)
    sizes = [20 + 7 * (i % 4) for i in range(len(truth))]
    grouping = group_themes(centroids, sizes)
    assert grouping.n_parents == 5
    assert adjusted_rand_score(truth, grouping.parents) == 1.0
    assert grouping.silhouettes[5] == max(grouping.silhouettes.values())


def test_number_of_parents_follows_the_data_not_a_constant() -> None:
    three, _ = _two_levels(3, 5, seed=1)
    eight, _ = _two_levels(8, 4, seed=2)
    assert group_themes(three, [30] * 15).n_parents == 3
    assert group_themes(eight, [30] * 32).n_parents == 8


def test_grouping_is_deterministic_and_independent_of_nothing_random() -> None:
    centroids, _ = _two_levels(4, 5, seed=3)
    first = group_themes(centroids, [10] * 20)
    second = group_themes(centroids.copy(), [10] * 20)
    assert np.array_equal(first.parents, second.parents)
    assert first.silhouettes == second.silhouettes


def test_a_big_theme_pulls_its_parent_centre() -> None:
    # three themes on a line: a - b - c, b nearer to a; a heavy c makes b join c instead
    a, b, c = np.array([1.0, 0.0]), np.array([0.55, 0.45]), np.array([0.0, 1.0])
    centroids = np.stack([a, b, c]).astype(np.float32)
    light = cut(ward_merges(centroids, [10, 10, 10]), 3, 2)
    heavy = cut(ward_merges(centroids, [1000, 10, 10]), 3, 2)
    assert light[0] == light[1] != light[2]
    assert heavy[1] == heavy[2] != heavy[0]


def test_few_themes_are_their_own_parents() -> None:
    centroids, _ = _two_levels(3, 1)
    grouping = group_themes(centroids, [5, 5, 5])
    assert grouping.n_parents == 3
    assert grouping.parents.tolist() == [0, 1, 2]


def test_weighted_silhouette_is_one_for_far_apart_tight_groups() -> None:
    distances = np.array(
        [[0, 0.0, 1, 1], [0.0, 0, 1, 1], [1, 1, 0, 0.0], [1, 1, 0.0, 0]], dtype=np.float64
    )
    assert weighted_silhouette(distances, np.array([0, 0, 1, 1]), [1, 2, 3, 4]) == 1.0
    assert weighted_silhouette(distances, np.array([0, 1, 0, 1]), [1, 1, 1, 1]) < 0


def test_a_rerun_keeps_the_prior_grouping_and_places_new_themes() -> None:
    centroids, truth = _two_levels(4, 5, seed=4)
    sizes = [25] * 20
    # the prior: parents 0-2 as the data has them, but theme 0 put with parent 1 by a person,
    # and the five themes of the fourth parent are new (-1)
    prior = [int(p) if p < 3 else -1 for p in truth]
    prior[0] = int(truth[5])
    grouping = group_themes(centroids, sizes, prior=prior)
    groups = grouping.parents
    assert groups[0] == groups[5]  # every theme keeps its prior parent
    assert adjusted_rand_score(truth[1:15], groups[1:15]) == 1.0
    assert grouping.n_new_parents == 1  # the new themes sit together: one new parent
    assert grouping.n_parents == 4
    assert len(set(groups[15:].tolist())) == 1
    assert not set(groups[15:].tolist()) & set(groups[:15].tolist())
    # a single new theme joins the nearest prior parent
    one_new = [int(p) for p in truth]
    one_new[7] = -1
    alone = group_themes(centroids, sizes, prior=one_new)
    assert alone.n_new_parents == 0
    assert alone.parents[7] == alone.parents[6]
    assert parent_range(135) == (5, 24)
    assert parent_range(9) == (2, 4)


def test_a_phrase_of_one_theme_does_not_name_a_group_of_many() -> None:
    # clinc150's meta domain in one run: the pooled phrase was the largest theme's own label
    children = [("Flip coin", 300), ("Roll dice", 200), ("Spell word", 150), ("Repeat", 140)]
    assert group_label("Flip coin", children) == "Flip coin, Roll dice and 2 more"


def test_a_phrase_shared_by_most_of_the_group_names_it() -> None:
    children = [("Credit score", 300), ("Credit limit", 250), ("Credit cards", 100), ("Apr", 90)]
    assert group_label("Credit card", children) == "Credit card"


def test_cover_counts_items_not_themes() -> None:
    # the phrase's word is in three of four labels, but those hold a third of the items
    children = [("Exchange rate", 10), ("Rate limit", 10), ("Rates", 10), ("Refunds", 60)]
    assert group_label("Rate", children) == "Refunds, Exchange rate and 2 more"
    assert group_label("Refund", children) == "Refund"


def test_two_themes_are_named_both() -> None:
    assert group_label("Oil", [("Change oil", 9), ("Change tires", 5)]) == "Oil"
    assert group_label("Tires", [("Oil change", 9), ("Wipers", 5)]) == "Oil change and Wipers"


def test_a_parent_of_one_theme_keeps_its_phrase() -> None:
    assert group_label("Billing", [("Double charge", 5)]) == "Billing"
    assert group_label("", [("Double charge", 5)]) == "Double charge"


def test_parent_count_near_equal_to_the_best_takes_the_balanced_tree() -> None:
    rng = np.random.default_rng(4)
    n = 121  # sqrt: 11
    weights = [float(w) for w in rng.integers(20, 200, size=n)]
    base = rng.normal(0.16, 0.1, size=n)
    near = {5: base, 11: base - 0.004 + rng.normal(0, 0.05, n), 20: base + 0.0005}
    assert pick_parents(near, weights, n) == 11
    clear = {5: base - 0.1, 11: base - 0.1 + rng.normal(0, 0.005, n), 20: base}
    assert pick_parents(clear, weights, n) == 20


def test_a_parent_of_more_than_twice_the_balanced_share_is_split_along_its_tree() -> None:
    # two small distinct groups, and 14 themes that are all a little alike: two close sub-groups
    rng = np.random.default_rng(5)
    dim = 32
    axes = np.eye(dim)
    near = (axes[2] + 0.35 * axes[3]) / np.linalg.norm(axes[2] + 0.35 * axes[3])
    centres = [axes[0]] * 3 + [axes[1]] * 3 + [axes[2]] * 7 + [near] * 7
    truth = np.array([0] * 3 + [1] * 3 + [2] * 7 + [3] * 7)
    points = np.stack([c + 0.02 * rng.standard_normal(dim) for c in centres]).astype(np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    n = len(truth)
    merges = ward_merges(points, [20] * n)
    assert np.bincount(cut(merges, n, 3)).max() == 14  # the silhouette's pick: one big parent

    grouping = group_themes(points, [20] * n)

    assert np.bincount(grouping.parents).max() <= np.ceil(2 * np.sqrt(n))
    assert grouping.n_parents == int(grouping.parents.max()) + 1
    assert adjusted_rand_score(truth, grouping.parents) == 1.0
