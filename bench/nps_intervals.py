"""Coverage of the 95% intervals of NPS, campaign change and theme impact over simulated campaigns.

Each simulated campaign draws a true promoter/passive/detractor mix, a size and (for impact)
five themes with planted effects; the share of intervals containing the true value is reported
for our adjusted intervals and, as the baseline in the same run, for the plain Wald interval.
Floor: every adjusted coverage within 0.93..0.97. JSON to stdout or --output.

    .venv/bin/python bench/nps_intervals.py --campaigns 2000 --seed 7
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voc.campaign.drivers import impact_interval, theme_tables
from voc.campaign.stats import difference_interval, nps_interval

FloatArray = npt.NDArray[np.float64]
FLOOR = (0.93, 0.97)
N_THEMES = 5


def _wald(counts: FloatArray, z: float = 1.959964) -> tuple[FloatArray, FloatArray]:
    n = counts.sum(axis=-1)
    p, d = counts[..., 0] / n, counts[..., 2] / n
    half = z * np.sqrt(np.maximum(p + d - (p - d) ** 2, 0) / n)
    return 100 * (p - d - half), 100 * (p - d + half)


def _truth_mix(rng: np.random.Generator, size: int) -> FloatArray:
    return rng.dirichlet([2.0, 1.5, 1.5], size=size)


def _sizes(rng: np.random.Generator, size: int, low: int, high: int) -> npt.NDArray[np.int64]:
    return np.exp(rng.uniform(np.log(low), np.log(high), size)).astype(np.int64)


def _stratum(covered: npt.NDArray[np.bool_], masks: dict[str, Any]) -> dict[str, Any]:
    out = {"all": {"coverage": round(float(covered.mean()), 4), "n": int(covered.size)}}
    for name, mask in masks.items():
        if mask.any():
            out[name] = {"coverage": round(float(covered[mask].mean()), 4), "n": int(mask.sum())}
    return out


def bench_nps(rng: np.random.Generator, campaigns: int) -> dict[str, Any]:
    """Coverage of the NPS interval; n log-uniform in 10..2000."""
    probs = _truth_mix(rng, campaigns)
    n = _sizes(rng, campaigns, 10, 2000)
    counts = rng.multinomial(n, probs).astype(np.float64)
    truth = 100 * (probs[:, 0] - probs[:, 2])
    _, low, high = nps_interval(counts)
    w_low, w_high = _wald(counts)
    masks = {"n<50": n < 50, "abs(true NPS)>70": np.abs(truth) > 70}
    return {
        "adjusted_wald": _stratum((low <= truth) & (truth <= high), masks),
        "baseline_plain_wald": _stratum((w_low <= truth) & (truth <= w_high), masks),
    }


def bench_change(rng: np.random.Generator, campaigns: int) -> dict[str, Any]:
    """Coverage of the change interval; the second campaign's mix is a perturbed first one."""
    p_a = _truth_mix(rng, campaigns)
    p_b = np.array([rng.dirichlet(60 * row + 0.5) for row in p_a])
    n_a, n_b = _sizes(rng, campaigns, 10, 2000), _sizes(rng, campaigns, 10, 2000)
    x_a = rng.multinomial(n_a, p_a).astype(np.float64)
    x_b = rng.multinomial(n_b, p_b).astype(np.float64)
    truth = 100 * ((p_a[:, 0] - p_a[:, 2]) - (p_b[:, 0] - p_b[:, 2]))
    _, low, high = difference_interval(x_a, x_b)
    a_low, a_high = _wald(x_a)
    b_low, b_high = _wald(x_b)
    est = 100 * ((x_a[:, 0] - x_a[:, 2]) / n_a - (x_b[:, 0] - x_b[:, 2]) / n_b)
    half = np.sqrt(((a_high - a_low) / 2) ** 2 + ((b_high - b_low) / 2) ** 2)
    masks = {"min(n)<50": np.minimum(n_a, n_b) < 50}
    return {
        "adjusted_wald": _stratum((low <= truth) & (truth <= high), masks),
        "baseline_plain_wald": _stratum((est - half <= truth) & (truth <= est + half), masks),
    }


def _category_probs(base: FloatArray, shift: FloatArray) -> FloatArray:
    """Cumulative-logit model: a negative shift moves respondents towards detractors."""
    cut_d = np.log(base[1] + base[0]) - np.log(base[2])  # logit P(not detractor)
    cut_p = np.log(base[0]) - np.log(base[1] + base[2])  # logit P(promoter)
    not_det = 1 / (1 + np.exp(-(cut_d + shift)))
    prom = 1 / (1 + np.exp(-(cut_p + shift)))
    return np.stack([prom, not_det - prom, 1 - not_det], axis=-1)


def _true_impacts(base: FloatArray, prev: FloatArray, effects: FloatArray) -> FloatArray:
    """Exact impact per theme by enumerating the 2**K membership patterns."""
    patterns = np.array(list(itertools.product([0, 1], repeat=N_THEMES)), dtype=np.float64)
    weight = np.prod(np.where(patterns == 1, prev, 1 - prev), axis=1)
    probs = _category_probs(base, patterns @ effects)
    y = 100 * (probs[:, 0] - probs[:, 2])
    overall = float(weight @ y)
    without = np.array(
        [(weight * (patterns[:, j] == 0)) @ y / (1 - prev[j]) for j in range(N_THEMES)]
    )
    return np.asarray(overall - without, dtype=np.float64)


def bench_impact(rng: np.random.Generator, campaigns: int) -> dict[str, Any]:
    """Coverage of the theme impact interval: five themes per campaign, some without effect."""
    covered, covered_wald, small = [], [], []
    for _ in range(campaigns):
        base = rng.dirichlet([4.0, 3.0, 3.0])
        prev = rng.uniform(0.03, 0.3, N_THEMES)
        effects = rng.choice([0.0, -0.5, -1.5, 0.7], N_THEMES)
        n = int(_sizes(rng, 1, 100, 3000)[0])
        membership = rng.random((n, N_THEMES)) < prev
        probs = _category_probs(base, membership.astype(np.float64) @ effects)
        cats = (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
        scores = np.array([10, 8, 3])[np.minimum(cats, 2)]
        inside, rest = theme_tables(scores, membership)
        point, low, high = impact_interval(inside, rest)
        truth = _true_impacts(base, prev, effects)
        covered.append((low <= truth) & (truth <= high))
        # baseline: the same delta method without the pseudo-counts
        _, w_low, w_high = _plain_impact(inside, rest, point)
        covered_wald.append((w_low <= truth) & (truth <= w_high))
        small.append(inside.sum(axis=1) < 30)
    masks = {"theme respondents<30": np.concatenate(small)}
    return {
        "delta_pseudo_count": _stratum(np.concatenate(covered), masks),
        "baseline_plain_delta": _stratum(np.concatenate(covered_wald), masks),
    }


def _plain_impact(
    inside: npt.ArrayLike, rest: npt.ArrayLike, point: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    t, r = np.asarray(inside, np.float64), np.asarray(rest, np.float64)
    n = t.sum(axis=-1) + r.sum(axis=-1)
    p_t, p_r = t / n[:, None], r / n[:, None]
    s = np.array([1.0, 0.0, -1.0])
    b, c = p_r @ s, p_r.sum(axis=-1)
    g_r = s * (1 - 1 / c[:, None]) + (b / c**2)[:, None]
    m1 = p_t @ s + (p_r * g_r).sum(axis=-1)
    m2 = p_t @ s**2 + (p_r * g_r**2).sum(axis=-1)
    half = 100 * 1.959964 * np.sqrt(np.maximum(m2 - m1**2, 0) / n)
    return point, point - half, point + half


def main(argv: list[str] | None = None) -> int:
    """Run the three coverage studies and print JSON; exit 1 if a coverage misses the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=2000, help="simulated campaigns (>=500)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.campaigns < 500:
        parser.error("--campaigns must be at least 500")
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    result: dict[str, Any] = {
        "bench": "nps_intervals",
        "machine": {
            "node": platform.node(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        },
        "campaigns": args.campaigns,
        "seed": args.seed,
        "confidence": 0.95,
        "floor": list(FLOOR),
        "nps": bench_nps(rng, args.campaigns),
        "change": bench_change(rng, args.campaigns),
        "theme_impact": bench_impact(rng, args.campaigns),
    }
    headline = {
        "nps": result["nps"]["adjusted_wald"]["all"]["coverage"],
        "change": result["change"]["adjusted_wald"]["all"]["coverage"],
        "theme_impact": result["theme_impact"]["delta_pseudo_count"]["all"]["coverage"],
    }
    result["coverage"] = headline
    result["within_floor"] = all(FLOOR[0] <= v <= FLOOR[1] for v in headline.values())
    result["seconds"] = round(time.perf_counter() - started, 2)
    text = json.dumps(result, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return 0 if result["within_floor"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
