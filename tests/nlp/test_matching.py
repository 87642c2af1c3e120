"""Theme identity across runs: continued, split, merged, new and retired."""

from __future__ import annotations

import numpy as np

from nlp.matching import CurrentCluster, PriorTheme, match_themes


def _vec(*values: float) -> np.ndarray:
    v = np.zeros(8, dtype=np.float32)
    v[: len(values)] = values
    return v


def test_a_theme_whose_items_stay_together_continues() -> None:
    prior = [PriorTheme("7", _vec(1), frozenset(range(10)))]
    current = [CurrentCluster(0, _vec(1, 0.1), frozenset(range(12)))]
    result = match_themes(prior, current)
    assert result.theme_ids == ("7",)
    assert [e.kind for e in result.events] == ["continued"]


def test_split_keeps_the_id_on_the_larger_part() -> None:
    prior = [PriorTheme("3", _vec(1), frozenset(range(20)))]
    current = [
        CurrentCluster(0, _vec(1, 1), frozenset(range(8))),
        CurrentCluster(1, _vec(1, -1), frozenset(range(8, 20))),
    ]
    result = match_themes(prior, current)
    assert result.theme_ids == (None, "3")
    kinds = {e.current_index: e.kind for e in result.events}
    assert kinds == {0: "split", 1: "continued"}


def test_merge_keeps_the_larger_id_and_retires_the_other_into_it() -> None:
    prior = [
        PriorTheme("1", _vec(1), frozenset(range(5))),
        PriorTheme("2", _vec(0, 1), frozenset(range(5, 20))),
    ]
    current = [CurrentCluster(0, _vec(1, 1), frozenset(range(20)))]
    result = match_themes(prior, current)
    assert result.theme_ids == ("2",)
    assert result.events[0].kind == "merged"
    assert result.events[0].previous_ids == ("2", "1")


def test_unrelated_clusters_are_new_and_vanished_themes_retire() -> None:
    prior = [PriorTheme("9", _vec(1), frozenset(range(5)))]
    current = [CurrentCluster(0, _vec(0, 0, 1), frozenset(range(100, 110)))]
    result = match_themes(prior, current)
    assert result.theme_ids == (None,)
    assert sorted(e.kind for e in result.events) == ["new", "retired"]


def test_new_items_match_by_centroid_when_nothing_is_shared() -> None:
    prior = [PriorTheme("4", _vec(1, 0.05), frozenset())]
    current = [CurrentCluster(0, _vec(1), frozenset(range(3)))]
    assert match_themes(prior, current).theme_ids == ("4",)
