"""The trend window: the latest four weeks of the data in view against the four before.

The window ends with the ISO week of the newest item the filters allow (not with today), so a
sample that ends months ago, or a date filter that ends last spring, still compares its own
latest weeks. Counts are per ISO week (Monday to Sunday): the newest week may be partial.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from voc.theme.schemas import TrendPoint, TrendWindow

WINDOW_WEEKS = 4


def window_ending(last_week: date | None, weeks: int = WINDOW_WEEKS) -> TrendWindow | None:
    """The two windows of ``weeks`` ISO weeks, the recent one ending with ``last_week``."""
    if last_week is None:
        return None
    recent_from = last_week - timedelta(weeks=weeks - 1)
    previous_from = recent_from - timedelta(weeks=weeks)
    return TrendWindow(
        weeks=weeks,
        recent_from=recent_from,
        recent_to=last_week + timedelta(days=6),
        previous_from=previous_from,
        previous_to=recent_from - timedelta(days=1),
    )


def change(points: Sequence[TrendPoint], window: TrendWindow | None) -> float | None:
    """Relative change of the recent window against the previous one (None without a base)."""
    if window is None:
        return None
    recent = before = 0
    for point in points:
        if window.recent_from <= point.week <= window.recent_to:
            recent += point.count
        elif window.previous_from <= point.week <= window.previous_to:
            before += point.count
    if before == 0:
        return None if recent == 0 else 1.0
    return (recent - before) / before
