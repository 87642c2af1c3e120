"""NPS, its interval, group breakdowns and campaign-over-campaign change (pure, vectorised).

Interval method (checked by ``bench/nps_intervals.py``): an adjusted Wald interval on the
multinomial. NPS = p_promoter - p_detractor, so its variance is
``(p_p + p_d - (p_p - p_d)**2) / n``. Plain Wald collapses to zero width near +-100 and at small
n; adding :data:`PSEUDO_COUNT` (3/4) to each of the three categories before computing the centre
and the variance (Agresti-Coull style; Rocks 2016 studied this for NPS) keeps the coverage at or
above the nominal level in simulation down to n = 5. The point estimate shown is the plain NPS;
only the interval uses the adjusted counts. The difference of two independent campaigns adds the
two adjusted variances (Agresti-Caffo style).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from voc.campaign.schemas import GroupNps, NpsChange, NpsEstimate
from voc.errors import InvalidInput

PSEUDO_COUNT = 0.75
PROMOTER_MIN = 9
PASSIVE_MIN = 7

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def z_value(confidence: float) -> float:
    """Two-sided normal quantile for a confidence level in (0, 1)."""
    if not 0.0 < confidence < 1.0:
        raise InvalidInput(f"confidence must be between 0 and 1, got {confidence}")
    return float(norm.ppf(0.5 + confidence / 2.0))


def validate_scores(scores: npt.ArrayLike, *, where: str = "scores") -> IntArray:
    """Scores as int64, refusing empty input, missing values, fractions and values outside 0..10."""
    arr = np.asarray(scores)
    if arr.ndim != 1:
        raise InvalidInput(f"{where}: expected a flat list of scores, got shape {arr.shape}")
    if arr.size == 0:
        raise InvalidInput(f"{where}: no scores (an empty campaign or group has no NPS)")
    if arr.dtype.kind not in "iuf" or (arr.dtype.kind == "f" and not np.isfinite(arr).all()):
        raise InvalidInput(f"{where}: scores must be whole numbers 0..10 without missing values")
    as_int = arr.astype(np.int64)
    if arr.dtype.kind == "f" and not np.array_equal(as_int, arr):
        raise InvalidInput(f"{where}: scores must be whole numbers 0..10")
    bad = (as_int < 0) | (as_int > 10)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InvalidInput(
            f"{where}: {int(bad.sum())} score(s) outside 0..10 (first at position {first}: "
            f"{arr[first]!r})"
        )
    return as_int


def categorise(scores: IntArray) -> IntArray:
    """Category per score: 0 promoter (9-10), 1 passive (7-8), 2 detractor (0-6)."""
    return np.where(scores >= PROMOTER_MIN, 0, np.where(scores >= PASSIVE_MIN, 1, 2))


def category_counts(scores: npt.ArrayLike) -> IntArray:
    """Promoter, passive and detractor counts of valid scores."""
    return np.bincount(categorise(validate_scores(scores)), minlength=3).astype(np.int64)


def nps_points(counts: npt.ArrayLike) -> FloatArray:
    """Plain NPS in points from counts of shape (..., 3); NaN where n = 0."""
    c = np.asarray(counts, dtype=np.float64)
    n = c.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(100.0 * (c[..., 0] - c[..., 2]) / n, dtype=np.float64)


def adjusted_moments(counts: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Adjusted NPS (fraction) and its variance from counts (..., 3) with pseudo-counts."""
    c = np.asarray(counts, dtype=np.float64) + PSEUDO_COUNT
    n = c.sum(axis=-1)
    p_p = c[..., 0] / n
    p_d = c[..., 2] / n
    centre = p_p - p_d
    variance = np.maximum(p_p + p_d - centre**2, 0.0) / n
    return centre, variance


def nps_interval(
    counts: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """NPS and its adjusted-Wald interval, in points, for counts of shape (..., 3)."""
    z = z_value(confidence)
    centre, variance = adjusted_moments(counts)
    half = z * np.sqrt(variance)
    low = np.clip(100.0 * (centre - half), -100.0, 100.0)
    high = np.clip(100.0 * (centre + half), -100.0, 100.0)
    return nps_points(counts), low, high


def difference_interval(
    counts_a: npt.ArrayLike, counts_b: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """NPS(a) - NPS(b) of independent samples with its interval, in points."""
    z = z_value(confidence)
    centre_a, var_a = adjusted_moments(counts_a)
    centre_b, var_b = adjusted_moments(counts_b)
    half = z * np.sqrt(var_a + var_b)
    centre = centre_a - centre_b
    low = np.clip(100.0 * (centre - half), -200.0, 200.0)
    high = np.clip(100.0 * (centre + half), -200.0, 200.0)
    return nps_points(counts_a) - nps_points(counts_b), low, high


def estimate_from_counts(counts: npt.ArrayLike, confidence: float = 0.95) -> NpsEstimate:
    """An :class:`NpsEstimate` from promoter, passive and detractor counts."""
    c = np.asarray(counts, dtype=np.int64)
    if c.shape != (3,) or (c < 0).any():
        raise InvalidInput(f"counts must be three non-negative numbers, got {c.tolist()}")
    n = int(c.sum())
    if n == 0:
        raise InvalidInput("no scores (an empty campaign or group has no NPS)")
    value, low, high = nps_interval(c, confidence)
    return NpsEstimate(
        n=n,
        promoters=int(c[0]),
        passives=int(c[1]),
        detractors=int(c[2]),
        nps=float(value),
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
    )


def estimate(scores: npt.ArrayLike, confidence: float = 0.95) -> NpsEstimate:
    """NPS with its interval from raw 0..10 scores."""
    return estimate_from_counts(category_counts(scores), confidence)


def change_statement(difference: float, low: float, high: float, confidence: float) -> str:
    """Plain words: 'up 6 points, 95% CI 1 to 11: moved' or '...: within noise'."""
    rounded = round(difference)
    direction = "up" if rounded > 0 else "down" if rounded < 0 else "unchanged,"
    size = f"{abs(rounded)} point{'s' if abs(rounded) != 1 else ''}"
    verdict = "moved" if low > 0 or high < 0 else "within noise"
    level = f"{round(confidence * 100):d}%"
    return f"{direction} {size}, {level} CI {round(low)} to {round(high)}: {verdict}"


def compare(
    current: NpsEstimate,
    previous: NpsEstimate,
    *,
    campaign: str = "current",
    compared_to: str = "previous",
) -> NpsChange:
    """Change of NPS between two independent campaigns, with interval and statement."""
    counts_a = [current.promoters, current.passives, current.detractors]
    counts_b = [previous.promoters, previous.passives, previous.detractors]
    diff, low, high = difference_interval(counts_a, counts_b, current.confidence)
    d, lo, hi = float(diff), float(low), float(high)
    return NpsChange(
        campaign=campaign,
        compared_to=compared_to,
        difference=d,
        ci_low=lo,
        ci_high=hi,
        is_moved=lo > 0 or hi < 0,
        statement=change_statement(d, lo, hi, current.confidence),
    )


def by_group(
    scores: npt.ArrayLike,
    keys: Sequence[object] | npt.NDArray[Any],
    *,
    field: str,
    min_group_size: int = 30,
    confidence: float = 0.95,
) -> tuple[GroupNps, ...]:
    """NPS per group key; groups under ``min_group_size`` are flagged and left unranked."""
    valid = validate_scores(scores)
    key_arr = np.asarray(keys, dtype=object)
    if key_arr.shape != valid.shape:
        raise InvalidInput(f"{field}: {key_arr.size} group keys for {valid.size} scores")
    labels = np.array(["(none)" if k is None or k == "" else str(k) for k in key_arr], dtype=str)
    uniq, inverse = np.unique(labels, return_inverse=True)
    flat = inverse * 3 + categorise(valid)
    counts = np.bincount(flat, minlength=uniq.size * 3).reshape(uniq.size, 3)
    values, lows, highs = nps_interval(counts, confidence)
    sizes = counts.sum(axis=1)
    ranked = [i for i in np.argsort(-values, kind="stable") if sizes[i] >= min_group_size]
    rank_of = {int(i): r + 1 for r, i in enumerate(ranked)}
    groups = [
        GroupNps(
            field=field,
            key=str(uniq[i]),
            estimate=NpsEstimate(
                n=int(sizes[i]),
                promoters=int(counts[i, 0]),
                passives=int(counts[i, 1]),
                detractors=int(counts[i, 2]),
                nps=float(values[i]),
                ci_low=float(lows[i]),
                ci_high=float(highs[i]),
                confidence=confidence,
            ),
            is_small=bool(sizes[i] < min_group_size),
            rank=rank_of.get(i),
        )
        for i in range(uniq.size)
    ]
    groups.sort(key=lambda g: (g.rank is None, g.rank or 0, -g.estimate.n, g.key))
    return tuple(groups)
