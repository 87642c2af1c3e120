"""Theme impact and the key-driver model: hand-checked values and planted-driver simulations."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from voc.campaign import drivers
from voc.errors import InvalidInput


def _planted(seed: int = 11, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Six themes; theme 0 lowers scores by 4, theme 2 co-occurs with theme 0, 1-5 no effect."""
    rng = np.random.default_rng(seed)
    base = rng.choice(11, size=n, p=np.array([1, 1, 1, 1, 2, 3, 4, 6, 8, 9, 8]) / 44)
    m = rng.random((n, 6)) < 0.12
    m[:, 2] |= m[:, 0] & (rng.random(n) < 0.7)  # theme 2 rides along with theme 0
    scores = np.clip(base - 4 * m[:, 0], 0, 10)
    return scores, m


def test_impact_matches_hand_computation() -> None:
    # overall: 10, 10, 10 promoters, 8 passive, 0 and 3 detractors: NPS = 100 * (3 - 2) / 6
    # without the theme (0, 10 removed): 10, 10, 8, 3 -> NPS = 100 * (2 - 1) / 4 = 25
    # impact = 16.67 - 25 = -8.33
    scores = np.array([0, 10, 10, 10, 8, 3])
    membership = np.array([[True], [True], [False], [False], [False], [False]])
    (row,) = drivers.theme_impacts(scores, membership, theme_ids=[7], labels=["Billing"])
    assert row.impact == pytest.approx(100 / 6 - 25)
    assert row.respondents_nps == pytest.approx(0.0)
    assert row.share_of_promoters == pytest.approx(1 / 3)
    assert row.share_of_detractors == pytest.approx(1 / 2)
    assert row.is_small


def test_impact_interval_equals_the_influence_function_on_raw_items() -> None:
    # independent route: weighted influence functions on items plus 0.5 pseudo-items per cell
    scores, m = _planted(n=300)
    inside, rest = drivers.theme_tables(scores, m)
    _, low, high = drivers.impact_interval(inside, rest)
    y = np.where(scores >= 9, 1.0, np.where(scores >= 7, 0.0, -1.0))
    for j in range(m.shape[1]):
        yy = np.concatenate([y, [1.0, 0.0, -1.0, 1.0, 0.0, -1.0]])
        mm = np.concatenate([m[:, j], [True] * 3 + [False] * 3])
        w = np.concatenate([np.ones(y.size), np.full(6, 0.5)])
        mean = np.average(yy, weights=w)
        rest_mean = np.average(yy[~mm], weights=w[~mm])
        c = w[~mm].sum() / w.sum()
        infl = (yy - mean) - (~mm) * (yy - rest_mean) / c
        se = np.sqrt((w * infl**2).sum()) / w.sum()
        centre = mean - rest_mean
        assert low[j] == pytest.approx(100 * (centre - 1.959964 * se), abs=1e-4)
        assert high[j] == pytest.approx(100 * (centre + 1.959964 * se), abs=1e-4)


def test_planted_driver_ranks_first_with_an_interval_below_zero() -> None:
    scores, m = _planted()
    result = drivers.key_drivers(scores, m, theme_ids=list(range(6)), labels=list("ABCDEF"))
    first = result[0]
    assert first.theme_id == 0
    assert first.effect_ci_high < 0
    no_effect = {d.theme_id: d for d in result}
    for j in (1, 3, 4, 5):
        assert no_effect[j].effect_ci_low < 0 < no_effect[j].effect_ci_high


def test_confounded_theme_is_flagged_where_model_and_impact_disagree() -> None:
    scores, m = _planted()
    impacts = {
        r.theme_id: r
        for r in drivers.theme_impacts(scores, m, theme_ids=list(range(6)), labels=list("ABCDEF"))
    }
    rows = {
        d.theme_id: d
        for d in drivers.key_drivers(scores, m, theme_ids=list(range(6)), labels=list("ABCDEF"))
    }
    # theme C only rides along with A: its simple impact is clearly negative ...
    assert impacts[2].ci_high < 0
    # ... but controlled for A the model finds no effect, and says so
    assert rows[2].effect_ci_low < 0 < rows[2].effect_ci_high
    assert rows[2].disagreement is not None


def test_one_theme_per_item_without_baseline_uses_the_average_respondent() -> None:
    scores = np.array([0, 1, 2, 3, 9, 10, 9, 10, 8, 7, 9, 10] * 10)
    theme = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2] * 10)
    m = np.eye(3, dtype=bool)[theme]
    result = drivers.key_drivers(scores, m, theme_ids=[1, 2, 3], labels=["a", "b", "c"])
    by_id = {d.theme_id: d for d in result}
    assert by_id[1].baseline == "the average respondent"
    # theme a's respondents: NPS -100, overall (-100 + 100 + 50) / 3 = 16.67: effect -116.67
    assert by_id[1].effect == pytest.approx(-100 - 50 / 3)
    assert result[0].theme_id == 1


def test_a_lone_unthemed_respondent_does_not_turn_every_interval_into_nan() -> None:
    # a run that themes all but one respondent: an intercept on one person has leverage 1
    scores = np.array([0, 1, 2, 3, 9, 10, 9, 10, 8, 7, 9, 10] * 10 + [5])
    theme = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2] * 10 + [-1])
    m = np.vstack([np.eye(3, dtype=bool)[theme[:-1]], np.zeros((1, 3), dtype=bool)])
    result = drivers.key_drivers(scores, m, theme_ids=[1, 2, 3], labels=["a", "b", "c"])
    assert {d.baseline for d in result} == {"the average respondent"}
    for d in result:
        assert np.isfinite([d.effect, d.effect_ci_low, d.effect_ci_high]).all()
        assert d.effect_ci_low < d.effect < d.effect_ci_high
    # the same contrast as without the unthemed respondent
    alone = drivers.key_drivers(scores[:-1], m[:-1], theme_ids=[1, 2, 3], labels=["a", "b", "c"])
    assert [d.effect for d in result] == pytest.approx([d.effect for d in alone])


def test_enough_unthemed_respondents_become_the_baseline() -> None:
    scores = np.array([0, 1, 2, 3, 9, 10, 9, 10, 8, 7, 9, 10] * 10 + [8] * drivers.MIN_BASELINE)
    theme = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2] * 10)
    m = np.vstack([np.eye(3, dtype=bool)[theme], np.zeros((drivers.MIN_BASELINE, 3), dtype=bool)])
    result = drivers.key_drivers(scores, m, theme_ids=[1, 2, 3], labels=["a", "b", "c"])
    by_id = {d.theme_id: d for d in result}
    assert by_id[1].baseline == "respondents raising none of them"
    # the unthemed are all passives (NPS 0): theme a's respondents (NPS -100) are -100 from them
    assert by_id[1].effect == pytest.approx(-100.0)
    assert np.isfinite(by_id[1].effect_ci_low)


def test_membership_shape_is_checked() -> None:
    with pytest.raises(InvalidInput, match="3 items x 2 themes"):
        drivers.theme_impacts([1, 2, 3], np.zeros((2, 2)), theme_ids=[1, 2], labels=["a", "b"])


def test_too_few_respondents_for_the_model() -> None:
    m = np.array([[True, True], [True, True], [False, False]])
    with pytest.raises(InvalidInput, match="too few respondents"):
        drivers.key_drivers([1, 10, 5], m, theme_ids=[1, 2], labels=["a", "b"])


def test_theme_with_one_respondent_is_left_out_of_the_model() -> None:
    # one respondent has leverage 1, so HC3 has no error estimate for it
    assert (
        drivers.key_drivers(
            [1, 10, 5], np.array([[True], [False], [False]]), theme_ids=[1], labels=["a"]
        )
        == ()
    )


def test_ols_hc3_on_distinct_rows_equals_statsmodels() -> None:
    scores, m = _planted(n=400)
    category = np.where(scores >= 9, 0, np.where(scores >= 7, 1, 2))
    rows, cats, counts = drivers.distinct_rows(m, category)
    assert counts.sum() == m.shape[0]
    assert len(counts) < m.shape[0] / 4
    with_const = np.concatenate([np.ones((rows.shape[0], 1)), rows.astype(float)], axis=1)
    beta, cov = drivers.ols_hc3(with_const, 100.0 * drivers.SIGNS[cats], counts)
    y = 100.0 * drivers.SIGNS[category]
    x = np.concatenate([np.ones((m.shape[0], 1)), m.astype(float)], axis=1)
    reference = sm.OLS(y, x).fit(cov_type="HC3")
    np.testing.assert_allclose(beta, reference.params, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(cov, reference.cov_params(), rtol=1e-6, atol=1e-8)
