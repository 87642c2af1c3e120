"""NPS, its interval, groups and change: checked against arithmetic done by hand."""

from __future__ import annotations

import numpy as np
import pytest

from voc.campaign import stats
from voc.errors import InvalidInput

# 5 promoters (10, 9, 9, 10, 10), 2 passives (8, 7), 3 detractors (6, 3, 0); n = 10
SCORES = [10, 9, 9, 8, 7, 6, 3, 0, 10, 10]


def test_nps_and_interval_match_hand_computation() -> None:
    # NPS = 100 * (5 - 3) / 10 = 20
    # adjusted counts (+0.75 each): 5.75, 2.75, 3.75; n~ = 12.25
    # p_p = 5.75 / 12.25 = 0.4693878, p_d = 3.75 / 12.25 = 0.3061224, centre = 0.1632653
    # var = (0.4693878 + 0.3061224 - 0.1632653**2) / 12.25 = 0.7488546 / 12.25 = 0.0611310
    # half = 1.959964 * sqrt(0.0611310) = 1.959964 * 0.2472468 = 0.4845949
    # CI = 100 * (0.1632653 -+ 0.4845949) = -32.13 .. 64.79
    est = stats.estimate(SCORES)
    assert (est.n, est.promoters, est.passives, est.detractors) == (10, 5, 2, 3)
    assert est.nps == pytest.approx(20.0)
    assert est.ci_low == pytest.approx(-32.13, abs=0.01)
    assert est.ci_high == pytest.approx(64.79, abs=0.01)
    assert est.promoter_share == pytest.approx(0.5)
    assert est.detractor_share == pytest.approx(0.3)


def test_difference_matches_hand_computation_and_says_within_noise() -> None:
    # a: (5, 2, 3), centre 0.1632653, var 0.0611310 (see above)
    # b: 3 promoters, 7 detractors: NPS -40; adjusted 3.75, 0.75, 7.75 / 12.25
    #    p_p = 0.3061224, p_d = 0.6326531, centre = -0.3265306
    #    var = (0.9387755 - 0.1066222) / 12.25 = 0.0679309
    # diff = 20 - (-40) = 60; se = sqrt(0.0611310 + 0.0679309) = 0.3592519
    # CI = 100 * (0.4897959 -+ 1.959964 * 0.3592519) = -21.43 .. 119.39
    change = stats.compare(stats.estimate(SCORES), stats.estimate([10] * 3 + [5] * 7))
    assert change.difference == pytest.approx(60.0)
    assert change.ci_low == pytest.approx(-21.43, abs=0.01)
    assert change.ci_high == pytest.approx(119.39, abs=0.01)
    assert not change.is_moved
    assert change.statement == "up 60 points, 95% CI -21 to 119: within noise"


def test_difference_that_moved_is_stated_as_moved() -> None:
    # a: 60/20/20 of 100 (NPS 40): adjusted /102.25: 0.594132, 0.202934, centre 0.391198
    #    var = (0.797066 - 0.153036) / 102.25 = 0.0062986
    # b: 40/20/40 (NPS 0): centre 0, var = 0.797066 / 102.25 = 0.0077953
    # CI = 100 * (0.391198 -+ 1.959964 * sqrt(0.0140939)) = 15.85 .. 62.39
    change = stats.compare(
        stats.estimate_from_counts([60, 20, 20]),
        stats.estimate_from_counts([40, 20, 40]),
        campaign="Q2",
        compared_to="Q1",
    )
    assert change.ci_low == pytest.approx(15.85, abs=0.01)
    assert change.ci_high == pytest.approx(62.39, abs=0.01)
    assert change.is_moved
    assert change.statement == "up 40 points, 95% CI 16 to 62: moved"


def test_interval_stays_inside_the_scale_near_plus_100() -> None:
    est = stats.estimate([10] * 8)
    assert est.nps == 100.0
    assert 0.0 < est.ci_low < 100.0
    assert est.ci_high == 100.0


def test_one_respondent_gets_a_wide_honest_interval() -> None:
    est = stats.estimate([10])
    assert est.nps == 100.0
    assert est.ci_high - est.ci_low > 100.0


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([], "no scores"),
        ([5, 11], "outside 0..10"),
        ([-1, 5], "outside 0..10"),
        ([7.5, 9], "whole numbers"),
        ([float("nan"), 9], "missing"),
        (["9", "10"], "whole numbers"),
    ],
)
def test_bad_scores_are_refused_with_a_clear_message(scores: list[object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        stats.estimate(scores)  # type: ignore[arg-type]


def test_groups_are_ranked_and_small_groups_flagged_not_ranked() -> None:
    scores = np.array([10] * 30 + [0] * 30 + [10, 0, 10])
    keys = np.array(["pro"] * 30 + ["free"] * 30 + ["team"] * 3, dtype=object)
    groups = stats.by_group(scores, keys, field="plan", min_group_size=30)
    by_key = {g.key: g for g in groups}
    assert [g.key for g in groups] == ["pro", "free", "team"]
    assert (by_key["pro"].rank, by_key["free"].rank, by_key["team"].rank) == (1, 2, None)
    assert by_key["team"].is_small
    assert by_key["team"].estimate.nps == pytest.approx(100 / 3)


def test_missing_group_keys_form_their_own_group() -> None:
    groups = stats.by_group([10, 0], [None, "eu"], field="region", min_group_size=1)
    assert {g.key for g in groups} == {"(none)", "eu"}


def test_group_keys_must_match_scores() -> None:
    with pytest.raises(InvalidInput, match="2 group keys for 3 scores"):
        stats.by_group([10, 9, 8], ["a", "b"], field="plan")
