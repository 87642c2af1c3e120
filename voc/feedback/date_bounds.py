"""Plausible ``created_at`` values: not before a floor, not in the future beyond clock skew.

One item dated 9999-12-31 would move every trend window to the year 9999, and one dated
0001-01-01 would stretch every chart over two thousand years: both are rejected, naming the
field, by the API (``create``, ``create_many``) and at file import (a rejected row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DEFAULT_FLOOR = date(1990, 1, 1)
CLOCK_SKEW = timedelta(days=1)


@dataclass(frozen=True)
class DateBounds:
    """The accepted range of ``created_at``: from ``floor`` to ``now`` plus the clock skew."""

    floor: date = DEFAULT_FLOOR
    skew: timedelta = CLOCK_SKEW

    def problem(self, value: datetime | None, *, now: datetime) -> str | None:
        """Why ``value`` is implausible, or None when it is fine (or absent)."""
        if value is None:
            return None
        if value < datetime.combine(self.floor, time.min, tzinfo=UTC):
            day, floor = value.date().isoformat(), self.floor.isoformat()
            return f"{day} is before {floor}, the earliest date accepted"
        if value > now + self.skew:
            when = value.isoformat(timespec="seconds")
            limit = (now + self.skew).isoformat(timespec="seconds")
            return f"{when} is in the future (latest accepted: {limit})"
        return None


DEFAULT_BOUNDS = DateBounds()
