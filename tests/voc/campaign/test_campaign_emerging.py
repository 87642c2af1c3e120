"""Emerging themes: one-sided growth tests with the Benjamini-Hochberg correction."""

from __future__ import annotations

import pytest

from voc.campaign.emerging import emerging_themes
from voc.errors import InvalidInput


def test_growth_survives_correction_and_chance_growth_does_not() -> None:
    # theme 0: 60 vs 20 of 500 -> p ~ 1.6e-6; BH: x10/1 -> 1.6e-5: emerging
    # theme 1: 32 vs 18 of 500: pooled 0.05, se = sqrt(0.05 * 0.95 * 2 / 500) = 0.013784,
    #   z = (0.064 - 0.036) / 0.013784 = 2.031, p = 0.0211 < 0.05 uncorrected;
    #   BH: 0.0211 * 10 / 2 = 0.1056 > 0.05: not emerging
    counts = [60, 32] + [25] * 8
    previous = [20, 18] + [25] * 8
    rows = emerging_themes(
        counts, 500, previous, 500, theme_ids=list(range(10)), labels=[f"t{i}" for i in range(10)]
    )
    by_id = {r.theme_id: r for r in rows}
    assert by_id[0].is_emerging
    assert by_id[1].p_value == pytest.approx(0.0211, abs=1e-4)
    assert by_id[1].p_adjusted == pytest.approx(0.1056, abs=1e-3)
    assert not by_id[1].is_emerging
    assert [r.theme_id for r in rows if r.is_emerging] == [0]


def test_new_theme_uses_the_exact_test_on_small_counts() -> None:
    rows = emerging_themes([8, 3], 400, [0, 0], 400, theme_ids=[1, 2], labels=["new", "few"])
    by_id = {r.theme_id: r for r in rows}
    assert by_id[1].is_new
    assert by_id[1].is_emerging
    assert by_id[1].test == "fisher"
    assert by_id[2].is_new
    assert not by_id[2].is_emerging


def test_counts_larger_than_the_campaign_are_refused() -> None:
    with pytest.raises(InvalidInput, match="between 0"):
        emerging_themes([11], 10, [1], 10, theme_ids=[1], labels=["a"])
