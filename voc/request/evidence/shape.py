"""The stored shape of a request's evidence and what is derived from it at read time.

:class:`Stored` is what ``request_evidence`` holds; :func:`to_evidence` turns it into what the
pages show, reading the clock-dependent parts (mentions per week, recent growth, opportunity)
against ``now`` so that a stored row never goes stale by the calendar alone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel

from voc.campaign import stats as nps_stats
from voc.config import get_settings
from voc.request.schemas import (
    Evidence,
    EvidenceQuote,
    MixCount,
    NpsRead,
    Opportunity,
    OpportunityComponent,
    WeekCount,
)
from voc.types import utcnow

WINDOW_DAYS = 28  # recent growth: the last 28 days (by date) against the 28 before
N_QUOTES = 3


def min_confidence_of(value: float | None) -> float:
    """The threshold asked for, or the setting in force when none is."""
    return get_settings().requests.min_confidence if value is None else float(value)


def aware(value: datetime) -> datetime:
    """A datetime in UTC (SQLite returns naive ones)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def growth(recent: int, previous: int) -> float:
    """Relative change of mentions, last 28 days against the 28 before, clipped to -1..3."""
    if recent == previous:
        return 0.0
    return round(max(-1.0, min(3.0, (recent - previous) / max(previous, 1))), 4)


def formula_text() -> str:
    """The opportunity formula with the weights in force."""
    w = get_settings().requests.opportunity
    return (
        f"opportunity = {w.arr:g} x ln(1 + ARR / 1000) + {w.customers:g} x ln(1 + customers)"
        f" + {w.growth:g} x growth + {w.negative_share:g} x negative share"
    )


def opportunity(
    *, arr: float, n_customers: int, growth_value: float, negative_share: float | None
) -> Opportunity:
    """The opportunity score with each component: value, term, weight, contribution."""
    w = get_settings().requests.opportunity
    parts = [
        ("ARR at stake", arr, math.log1p(max(arr, 0.0) / 1000.0), w.arr),
        ("customers", float(n_customers), math.log1p(n_customers), w.customers),
        ("recent growth", growth_value, growth_value, w.growth),
        ("negative share", negative_share or 0.0, negative_share or 0.0, w.negative_share),
    ]
    components = [
        OpportunityComponent(
            name=name,
            value=round(value, 4),
            term=f"{term:.4f}",
            weight=weight,
            contribution=round(weight * term, 4),
        )
        for name, value, term, weight in parts
    ]
    return Opportunity(
        score=round(sum(c.contribution for c in components), 4),
        formula=formula_text(),
        components=components,
    )


class Stored(BaseModel):
    """The evidence of one request as stored in ``request_evidence``."""

    min_confidence: float
    theme_ids: list[int]
    n_items: int
    n_direct: int
    n_customers: int
    n_accounts: int
    arr: float
    n_negative: int
    nps_counts: list[int]  # promoters, passives, detractors
    segments: list[tuple[str, int]]
    plans: list[tuple[str, int]]
    days: list[tuple[int, int]]  # date ordinal, items created that day
    quotes: list[EvidenceQuote]
    negative_quotes: list[EvidenceQuote]


def _windows(days: Sequence[tuple[int, int]], today: date) -> tuple[int, int]:
    """Items of the last 28 days (by date, today included) and of the 28 before."""
    t = today.toordinal()
    recent = sum(n for d, n in days if d > t - WINDOW_DAYS)
    previous = sum(n for d, n in days if t - 2 * WINDOW_DAYS < d <= t - WINDOW_DAYS)
    return recent, previous


def _mix(pairs: Sequence[tuple[str, int]], n: int) -> list[MixCount]:
    ordered = sorted(pairs, key=lambda kv: (-kv[1], str(kv[0])))
    return [MixCount(name=str(k), count=c, share=round(c / n, 4)) for k, c in ordered if c]


def _weekly(days: Sequence[tuple[int, int]]) -> list[WeekCount]:
    weeks: Counter[date] = Counter()
    for ordinal, n in days:
        day = date.fromordinal(ordinal)
        weeks[day - timedelta(days=day.weekday())] += n
    return [WeekCount(week=w, count=c) for w, c in sorted(weeks.items())]


def _nps(counts: Sequence[int]) -> NpsRead | None:
    if sum(counts) == 0:
        return None
    est = nps_stats.estimate_from_counts(list(counts))
    return NpsRead(
        n=est.n,
        promoters=est.promoters,
        passives=est.passives,
        detractors=est.detractors,
        nps=round(est.nps, 2),
        ci_low=round(est.ci_low, 2),
        ci_high=round(est.ci_high, 2),
        confidence=est.confidence,
    )


def to_evidence(stored: Stored, *, now: datetime | None = None) -> Evidence:
    """The evidence shown for a stored row; the growth windows are read against ``now``."""
    today = aware(now or utcnow()).date()
    recent, previous = _windows(stored.days, today)
    n = stored.n_items
    negative_share = round(stored.n_negative / n, 4) if n else None
    g = growth(recent, previous)
    return Evidence(
        n_items=n,
        n_direct=stored.n_direct,
        n_customers=stored.n_customers,
        n_accounts=stored.n_accounts,
        arr=stored.arr,
        n_negative=stored.n_negative,
        negative_share=negative_share,
        n_recent=recent,
        n_previous=previous,
        growth=g,
        nps=_nps(stored.nps_counts),
        min_confidence=stored.min_confidence,
        segments=_mix(stored.segments, n),
        plans=_mix(stored.plans, n),
        weekly=_weekly(stored.days),
        quotes=stored.quotes,
        negative_quotes=stored.negative_quotes,
        opportunity=opportunity(
            arr=stored.arr, n_customers=stored.n_customers, growth_value=g,
            negative_share=negative_share,
        ),
    )  # fmt: skip
