"""Incremental assignment to theme centroids: similarity floor, margin, confidence."""

from __future__ import annotations

import numpy as np

from nlp.assign import assign_to_themes


def _unit(*values: float) -> np.ndarray:
    v = np.zeros(4, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


CENTROIDS = np.vstack([_unit(1, 0), _unit(0, 1)])


def test_an_item_clearly_nearest_one_theme_is_assigned_with_high_confidence() -> None:
    result = assign_to_themes(
        np.vstack([_unit(1, 0.1)]), CENTROIDS, min_similarity=0.5, min_margin=0.1
    )
    assert result.labels.tolist() == [0]
    assert result.confidence[0] > 0.99
    assert result.similarity[0] > 0.99


def test_an_item_between_two_themes_stays_unassigned_when_the_margin_is_small() -> None:
    between = np.vstack([_unit(1, 0.95)])
    strict = assign_to_themes(between, CENTROIDS, min_similarity=0.5, min_margin=0.1)
    lenient = assign_to_themes(between, CENTROIDS, min_similarity=0.5, min_margin=0.0)
    assert strict.labels.tolist() == [-1]
    assert strict.confidence[0] == 0.0
    assert lenient.labels.tolist() == [0]
    assert 0.5 < lenient.confidence[0] < 0.7


def test_an_item_far_from_every_theme_stays_unassigned() -> None:
    result = assign_to_themes(
        np.vstack([_unit(0, 0, 1)]), CENTROIDS, min_similarity=0.3, min_margin=0.0
    )
    assert result.labels.tolist() == [-1]


def test_large_inputs_are_processed_in_batches_with_the_same_result() -> None:
    rng = np.random.default_rng(0)
    items = rng.normal(size=(30_000, 4)).astype(np.float32)
    centroids = rng.normal(size=(200, 4)).astype(np.float32)
    result = assign_to_themes(items, centroids, min_similarity=-1.0, min_margin=0.0)
    unit_items = items / np.linalg.norm(items, axis=1, keepdims=True)
    unit_centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)
    expected = np.argmax(unit_items @ unit_centroids.T, axis=1)
    assert np.array_equal(result.labels, expected)


def test_no_themes_leaves_everything_unassigned() -> None:
    result = assign_to_themes(
        np.vstack([_unit(1)]), np.zeros((0, 4), np.float32), min_similarity=0.0, min_margin=0.0
    )
    assert result.labels.tolist() == [-1]
