"""The trend: a theme's share of the latest four weeks of the data in view against the four before.

The window ends with the ISO week of the newest item the filters allow (not with today), so a
sample that ends months ago, or a date filter that ends last spring, still compares its own
latest weeks. Counts are per ISO week (Monday to Sunday): the newest week may be partial.

The change compares **shares**, not counts: a theme's items in the recent window as a share of
all themed items in view in that window, against the same share in the window before. Feedback
arrives in waves (an NPS campaign sends thousands of surveys in one week, then nothing): the
demo sample holds 160 themed items in the four weeks before its latest four and 51 in them, so
counts made every theme "fall" about 70%, which says nothing about any theme. A theme that keeps
its share is flat; one that doubles its share is +100%, whatever the volume did. The window
carries both totals, so a page can say what the volume did.

Whether a change is beyond chance is a two-proportion z-test of the two shares
(:func:`is_significant`, |z| >= 1.96): 3 items before and none now is "-100%", and noise; a
page shows such a change greyed, not as a fall.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from voc.theme.schemas import TrendPoint, TrendWindow

WINDOW_WEEKS = 4
Z_95 = 1.959964  # two-sided 95%


def window_ending(
    last_week: date | None,
    weekly_totals: Mapping[date, int] | None = None,
    weeks: int = WINDOW_WEEKS,
) -> TrendWindow | None:
    """The two windows of ``weeks`` ISO weeks, the recent one ending with ``last_week``.

    ``weekly_totals`` (themed items in view per week) fill the windows' totals, which make
    :func:`change` compare shares; without them it compares counts.
    """
    if last_week is None:
        return None
    recent_from = last_week - timedelta(weeks=weeks - 1)
    previous_from = recent_from - timedelta(weeks=weeks)
    window = TrendWindow(
        weeks=weeks,
        recent_from=recent_from,
        recent_to=last_week + timedelta(days=6),
        previous_from=previous_from,
        previous_to=recent_from - timedelta(days=1),
    )
    if weekly_totals is None:
        return window
    recent, before = _sums(weekly_totals.items(), window)
    return window.model_copy(update={"recent_total": recent, "previous_total": before})


def _sums(points: Iterable[tuple[date, int]], window: TrendWindow) -> tuple[int, int]:
    recent = before = 0
    for week, count in points:
        if window.recent_from <= week <= window.recent_to:
            recent += count
        elif window.previous_from <= week <= window.previous_to:
            before += count
    return recent, before


def assess(
    points: Sequence[TrendPoint], window: TrendWindow | None
) -> tuple[float | None, bool | None]:
    """The theme's :func:`change` and :func:`is_significant`, from one pass over its points."""
    if window is None:
        return None, None
    recent, before = _sums(((p.week, p.count) for p in points), window)
    return _change(recent, before, window), _significant(recent, before, window)


def change(points: Sequence[TrendPoint], window: TrendWindow | None) -> float | None:
    """Relative change of the recent window against the previous one (None without a base).

    Of the share of all themed items when the window carries its totals, else of the counts.
    A theme with items now and none before is +100% (new); with none in either, None.
    """
    return assess(points, window)[0]


def is_significant(points: Sequence[TrendPoint], window: TrendWindow | None) -> bool | None:
    """Whether the share change differs from no change at 95% (None without the totals).

    Two-proportion z-test with the pooled share: the theme's items over the themed items of
    the recent window against those of the previous one.
    """
    return assess(points, window)[1]


def _change(recent: int, before: int, window: TrendWindow) -> float | None:
    if before == 0:
        return None if recent == 0 else 1.0
    if window.recent_total is None or window.previous_total is None:
        return (recent - before) / before
    if window.recent_total == 0 or window.previous_total == 0:
        return None
    return (recent / window.recent_total) / (before / window.previous_total) - 1.0


def _significant(recent: int, before: int, window: TrendWindow) -> bool | None:
    n_recent, n_before = window.recent_total, window.previous_total
    if n_recent is None or n_before is None or n_recent == 0 or n_before == 0:
        return None
    pooled = (recent + before) / (n_recent + n_before)
    spread = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_recent + 1.0 / n_before))
    if spread == 0.0:
        return False
    return abs(recent / n_recent - before / n_before) / spread >= Z_95
