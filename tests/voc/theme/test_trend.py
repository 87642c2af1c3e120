"""The trend compares a theme's share of the themed items in two windows, not its counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from voc.theme import trend
from voc.theme.schemas import TrendPoint

LAST = date(2026, 11, 30)  # a Monday: the newest week in view


def weeks_back(n: int) -> date:
    return LAST - timedelta(weeks=n)


def points(counts: dict[int, int]) -> list[TrendPoint]:
    """TrendPoints from {weeks before the newest: count}."""
    return [TrendPoint(week=weeks_back(k), count=v) for k, v in sorted(counts.items())]


def test_the_window_carries_the_themed_items_of_each_half() -> None:
    totals = {weeks_back(k): 10 * (k + 1) for k in range(10)}
    window = trend.window_ending(LAST, totals)
    assert window is not None
    assert window.recent_total == 10 + 20 + 30 + 40
    assert window.previous_total == 50 + 60 + 70 + 80  # weeks 8 and 9 back are outside


def test_a_theme_that_keeps_its_share_while_the_volume_falls_is_flat() -> None:
    # a survey wave four weeks back: 400 themed items before, 100 now; the theme holds 10% of both
    totals = {weeks_back(5): 400, weeks_back(1): 100}
    window = trend.window_ending(LAST, totals)
    change = trend.change(points({5: 40, 1: 10}), window)
    assert change == pytest.approx(0.0)
    # the count alone fell 75%: what the overview used to show
    assert trend.change(points({5: 40, 1: 10}), trend.window_ending(LAST)) == pytest.approx(-0.75)


def test_a_theme_that_doubles_its_share_is_up_100_percent_whatever_the_volume() -> None:
    totals = {weeks_back(5): 400, weeks_back(1): 100}
    window = trend.window_ending(LAST, totals)
    assert trend.change(points({5: 20, 1: 10}), window) == pytest.approx(1.0)


def test_a_new_theme_is_up_and_a_theme_without_items_has_no_trend() -> None:
    totals = {weeks_back(5): 400, weeks_back(1): 100}
    window = trend.window_ending(LAST, totals)
    assert trend.change(points({1: 5}), window) == 1.0
    assert trend.change(points({9: 5}), window) is None  # outside both windows
    assert trend.change([], None) is None


def test_with_nothing_before_the_recent_window_every_theme_is_new() -> None:
    window = trend.window_ending(LAST, {weeks_back(1): 100})
    assert window is not None
    assert window.previous_total == 0
    assert trend.change(points({1: 10}), window) == 1.0


def test_a_fall_of_three_items_to_none_is_within_chance_and_a_real_shift_is_not() -> None:
    totals = {weeks_back(5): 400, weeks_back(1): 100}
    window = trend.window_ending(LAST, totals)
    noise = points({5: 3})
    assert trend.change(noise, window) == pytest.approx(-1.0)
    assert trend.is_significant(noise, window) is False
    # 5% of the items before, 30% now
    shift = points({5: 20, 1: 30})
    assert trend.is_significant(shift, window) is True
    assert trend.is_significant(shift, trend.window_ending(LAST)) is None  # no totals
