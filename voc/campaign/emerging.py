"""Emerging themes: share grown (or new) since the compared campaign, corrected for many tests.

Per theme, a one-sided two-proportion test that its share of respondents grew: the pooled z-test
when every expected cell count is at least 5, else Fisher's exact test (the z-test is too
liberal on small counts). The p-values of all themes are then adjusted with Benjamini-Hochberg
(false discovery rate) through ``statsmodels.stats.multitest.multipletests``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.stats import fisher_exact, norm
from statsmodels.stats.multitest import multipletests

from voc.campaign.schemas import EmergingTheme
from voc.campaign.stats import FloatArray
from voc.errors import InvalidInput

MIN_EXPECTED = 5.0


def growth_p_values(
    count: npt.ArrayLike, n: int, previous_count: npt.ArrayLike, previous_n: int
) -> tuple[FloatArray, list[str]]:
    """One-sided p-values that each theme's share grew, and the test used per theme."""
    x1 = np.asarray(count, dtype=np.float64)
    x0 = np.asarray(previous_count, dtype=np.float64)
    pooled = (x1 + x0) / (n + previous_n)
    se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n + 1.0 / previous_n))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x1 / n - x0 / previous_n) / se
    p = np.where(se > 0, norm.sf(z), 1.0)
    expected = np.minimum.reduce(
        [pooled * n, pooled * previous_n, (1 - pooled) * n, (1 - pooled) * previous_n]
    )
    tests = ["z"] * x1.size
    for j in np.flatnonzero(expected < MIN_EXPECTED):
        table = [[int(x1[j]), n - int(x1[j])], [int(x0[j]), previous_n - int(x0[j])]]
        p[j] = fisher_exact(table, alternative="greater").pvalue
        tests[j] = "fisher"
    return np.asarray(p, dtype=np.float64), tests


def emerging_themes(
    count: npt.ArrayLike,
    n: int,
    previous_count: npt.ArrayLike,
    previous_n: int,
    *,
    theme_ids: Sequence[int],
    labels: Sequence[str],
    alpha: float = 0.05,
) -> tuple[EmergingTheme, ...]:
    """Every theme with its growth test; ``is_emerging`` where the BH-adjusted p < alpha."""
    x1 = np.asarray(count, dtype=np.int64)
    x0 = np.asarray(previous_count, dtype=np.int64)
    k = len(theme_ids)
    if x1.shape != (k,) or x0.shape != (k,):
        raise InvalidInput(f"theme counts must have one value per theme ({k})")
    if n <= 0 or previous_n <= 0:
        raise InvalidInput("both campaigns need at least one respondent to compare theme shares")
    if (x1 < 0).any() or (x1 > n).any() or (x0 < 0).any() or (x0 > previous_n).any():
        raise InvalidInput("theme counts must lie between 0 and the campaign's respondents")
    if k == 0:
        return ()
    p, tests = growth_p_values(x1, n, x0, previous_n)
    reject, p_adj, _, _ = multipletests(p, alpha=alpha, method="fdr_bh")
    rows = [
        EmergingTheme(
            theme_id=int(theme_ids[j]),
            label=labels[j],
            count=int(x1[j]),
            share=float(x1[j] / n),
            previous_count=int(x0[j]),
            previous_share=float(x0[j] / previous_n),
            p_value=float(p[j]),
            p_adjusted=float(p_adj[j]),
            test=tests[j],
            is_new=bool(x0[j] == 0 and x1[j] > 0),
            is_emerging=bool(reject[j]),
        )
        for j in range(k)
    ]
    rows.sort(key=lambda r: (not r.is_emerging, r.p_adjusted, -r.count))
    return tuple(rows)
