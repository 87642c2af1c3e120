"""Theme impact on NPS and the key-driver model, vectorised over all themes at once.

Impact of a theme = overall NPS - NPS without that theme's respondents. It depends only on the
2 x 3 table (theme respondents / the rest x promoter, passive, detractor), so it is computed
from count tables for every theme at once. Its interval is the delta method on that six-cell
multinomial with 1/2 added to each cell (so a theme with 0 or 1 respondents still gets an honest,
wide interval); ``bench/nps_intervals.py`` checks the coverage.

Key drivers: OLS of the NPS-coded outcome (+100 promoter, 0 passive, -100 detractor) on all theme
indicators together, with HC3 robust standard errors (computed on distinct rows, equal to
statsmodels' HC3, see :func:`ols_hc3`) (the outcome has three values, so the errors
are heteroscedastic by construction). The effect of a theme is its coefficient: the change in NPS
points for a respondent who raises it, holding the other themes fixed, against respondents who
raise none. When every respondent has a theme (one theme per item and no unthemed items) the
intercept is not identified, and the effect is the contrast against the average respondent; so
it is when fewer than ``MIN_BASELINE`` respondents raise none (too few to measure against).
Modelled impact = effect x the theme's share, on the same scale as the simple impact, so the two
rankings can be compared and their disagreements flagged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from voc.campaign.schemas import Driver, ThemeImpact
from voc.campaign.stats import FloatArray, IntArray, categorise, validate_scores, z_value
from voc.errors import InvalidInput

logger = logging.getLogger(__name__)

CELL_PSEUDO_COUNT = 0.5
# Fewest respondents raising no theme that the effects are measured against (see _fit); the
# same count as the default small-theme flag (AnalysisOptions.min_theme_size).
MIN_BASELINE = 30
SIGNS = np.array([1.0, 0.0, -1.0])
BoolArray = npt.NDArray[np.bool_]


def check_membership(scores: IntArray, membership: npt.ArrayLike, n_themes: int) -> BoolArray:
    """Membership as a boolean (items x themes) matrix matching the scores and theme list."""
    m = np.asarray(membership)
    if m.ndim != 2 or m.shape[0] != scores.shape[0] or m.shape[1] != n_themes:
        raise InvalidInput(
            f"theme membership must be {scores.shape[0]} items x {n_themes} themes, "
            f"got shape {m.shape}"
        )
    return m.astype(bool, copy=False)


def theme_tables(scores: IntArray, membership: BoolArray) -> tuple[IntArray, IntArray]:
    """Counts (themes x 3) of each theme's respondents and of everyone else."""
    onehot = np.zeros((scores.shape[0], 3), dtype=np.int64)
    onehot[np.arange(scores.shape[0]), categorise(scores)] = 1
    inside = membership.T.astype(np.int64) @ onehot
    rest = onehot.sum(axis=0)[None, :] - inside
    return inside, rest


def impact_interval(
    inside: npt.ArrayLike, rest: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Impact (points) and delta-method interval from (..., 3) count tables."""
    t = np.asarray(inside, dtype=np.float64)
    r = np.asarray(rest, dtype=np.float64)
    n_raw = t.sum(axis=-1) + r.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw_without = (r @ SIGNS) / r.sum(axis=-1)
        point = 100.0 * ((t @ SIGNS + r @ SIGNS) / n_raw - np.nan_to_num(raw_without))
    t, r = t + CELL_PSEUDO_COUNT, r + CELL_PSEUDO_COUNT
    n = t.sum(axis=-1) + r.sum(axis=-1)
    p_t, p_r = t / n[..., None], r / n[..., None]
    b, c = p_r @ SIGNS, p_r.sum(axis=-1)
    centre = p_t @ SIGNS + b - b / c
    # gradient of A + B - B/C with respect to the six cell probabilities
    g_t = np.broadcast_to(SIGNS, p_t.shape)
    g_r = SIGNS * (1.0 - 1.0 / c[..., None]) + (b / c**2)[..., None]
    m1 = (p_t * g_t).sum(axis=-1) + (p_r * g_r).sum(axis=-1)
    m2 = (p_t * g_t**2).sum(axis=-1) + (p_r * g_r**2).sum(axis=-1)
    half = z_value(confidence) * np.sqrt(np.maximum(m2 - m1**2, 0.0) / n)
    return point, 100.0 * (centre - half), 100.0 * (centre + half)


def theme_impacts(
    scores: npt.ArrayLike,
    membership: npt.ArrayLike,
    *,
    theme_ids: Sequence[int],
    labels: Sequence[str],
    min_theme_size: int = 30,
    confidence: float = 0.95,
) -> tuple[ThemeImpact, ...]:
    """Volume, promoter/detractor mix, respondents' NPS and impact with interval per theme."""
    valid = validate_scores(scores)
    m = check_membership(valid, membership, len(theme_ids))
    inside, rest = theme_tables(valid, m)
    impact, low, high = impact_interval(inside, rest, confidence)
    totals = inside + rest
    n_theme = inside.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_p = np.nan_to_num(inside[:, 0] / totals[:, 0])
        share_d = np.nan_to_num(inside[:, 2] / totals[:, 2])
        resp_nps = 100.0 * (inside @ SIGNS) / n_theme
    rows = [
        ThemeImpact(
            theme_id=int(theme_ids[j]),
            label=labels[j],
            n_respondents=int(n_theme[j]),
            share=float(n_theme[j] / valid.size),
            share_of_promoters=float(share_p[j]),
            share_of_detractors=float(share_d[j]),
            respondents_nps=float(resp_nps[j]),
            impact=float(impact[j]),
            ci_low=float(low[j]),
            ci_high=float(high[j]),
            is_small=bool(n_theme[j] < min_theme_size),
        )
        for j in range(len(theme_ids))
    ]
    rows.sort(key=lambda r: (r.impact, -r.n_respondents))
    return tuple(rows)


def distinct_rows(m: BoolArray, category: IntArray) -> tuple[BoolArray, IntArray, IntArray]:
    """Distinct (membership row, category) pairs and their counts, via packed bytes."""
    packed = np.concatenate([np.packbits(m, axis=1), category.astype(np.uint8)[:, None]], axis=1)
    packed = np.ascontiguousarray(packed)
    void = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, counts = np.unique(void, return_index=True, return_counts=True)
    return m[first], category[first], counts.astype(np.int64)


def ols_hc3(
    x: FloatArray, y: FloatArray, counts: npt.NDArray[np.int64] | None = None
) -> tuple[FloatArray, FloatArray]:
    """OLS coefficients and HC3 covariance, on rows that each stand for ``counts`` identical rows.

    Identical rows share their residual and leverage, so summing over distinct rows weighted by
    their count gives exactly statsmodels' ``OLS(y, x).fit(cov_type="HC3")`` on the full data
    (a test checks it) at a fraction of the cost: one-theme-per-item data has at most
    3 x (themes + 1) distinct rows.
    """
    xu, yu = x, y
    c = np.ones(y.size) if counts is None else counts.astype(np.float64)
    bread = np.linalg.pinv(xu.T @ (c[:, None] * xu))
    beta = bread @ (xu.T @ (c * yu))
    resid = yu - xu @ beta
    leverage = ((xu @ bread) * xu).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = c * (resid / (1.0 - leverage)) ** 2
    scale = np.where(leverage < 1.0 - 1e-10, scale, np.inf)
    with np.errstate(invalid="ignore"):  # inf x 0: a row of leverage 1, NaN in its terms
        meat = xu.T @ (scale[:, None] * xu)
        cov = bread @ meat @ bread
    return np.asarray(beta, dtype=np.float64), np.asarray(cov, dtype=np.float64)


def _fit(category: IntArray, m: BoolArray) -> tuple[FloatArray, FloatArray, str]:
    """Effects, their HC3 covariance, and the baseline they are measured against.

    The baseline is the respondents raising none of the themes when there are at least
    ``MIN_BASELINE`` of them; with fewer (a run that themes 99% of the items leaves one or two)
    an intercept on so few people has no honest error (one of them alone has leverage 1 and
    HC3 none at all), so the effects are contrasts against the average respondent raising a
    theme, and the few without one, whose rows are all zero, add nothing to the fit.
    """
    rows, cats, counts = distinct_rows(m, category)
    x, y = rows.astype(np.float64), 100.0 * SIGNS[cats]
    if int((~m.any(axis=1)).sum()) >= MIN_BASELINE:
        beta, cov = ols_hc3(np.concatenate([np.ones((x.shape[0], 1)), x], axis=1), y, counts)
        return beta[1:], cov[1:, 1:], "respondents raising none of them"
    beta, cov = ols_hc3(x, y, counts)
    # contrast of each theme mean against the average respondent: (I - 1 w') beta
    share = m.mean(axis=0)
    weights = share / share.sum()
    contrast = np.eye(x.shape[1]) - weights[None, :]
    return contrast @ beta, contrast @ cov @ contrast.T, "the average respondent"


def _disagreement(d_sig: bool, i_sig: bool, d_val: float, i_val: float, gap: int, k: int) -> str:
    if np.sign(d_val) != np.sign(i_val) and (d_sig or i_sig):
        return "sign differs: the simple impact is confounded by other themes"
    if gap >= max(3, int(np.ceil(k / 4))):
        return f"rank differs by {gap}: other themes explain part of the simple impact"
    return ""


def key_drivers(
    scores: npt.ArrayLike,
    membership: npt.ArrayLike,
    *,
    theme_ids: Sequence[int],
    labels: Sequence[str],
    confidence: float = 0.95,
) -> tuple[Driver, ...]:
    """Themes ranked by modelled impact (most negative first) beside their simple impact."""
    valid = validate_scores(scores)
    m = check_membership(valid, membership, len(theme_ids))
    present = m.sum(axis=0) >= 2  # one respondent has leverage 1: no HC3 error
    if not present.any():
        return ()
    if valid.size <= int(present.sum()) + 1:
        raise InvalidInput(
            f"too few respondents ({valid.size}) for a driver model of {int(present.sum())} themes"
        )
    keep = np.flatnonzero(present)
    effect, cov, baseline = _fit(categorise(valid), m[:, keep])
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    # a coefficient that rests on a row of leverage 1 has no HC3 error: an infinite interval
    se = np.where(np.isnan(se), np.inf, se)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_values = np.nan_to_num(2.0 * norm.sf(np.abs(effect / se)), nan=1.0)
    half = z_value(confidence) * se
    share = m[:, keep].mean(axis=0)
    inside, rest = theme_tables(valid, m[:, keep])
    impact, i_low, i_high = impact_interval(inside, rest, confidence)
    modelled = effect * share
    rank = np.empty(keep.size, dtype=np.int64)
    rank[np.argsort(modelled, kind="stable")] = np.arange(1, keep.size + 1)
    i_rank = np.empty(keep.size, dtype=np.int64)
    i_rank[np.argsort(impact, kind="stable")] = np.arange(1, keep.size + 1)
    rows = []
    for j, col in enumerate(keep.tolist()):
        lo, hi = effect[j] - half[j], effect[j] + half[j]
        flag = _disagreement(
            bool(lo > 0 or hi < 0),
            bool(i_low[j] > 0 or i_high[j] < 0),
            float(effect[j]),
            float(impact[j]),
            abs(int(rank[j]) - int(i_rank[j])),
            keep.size,
        )
        rows.append(
            Driver(
                theme_id=int(theme_ids[col]),
                label=labels[col],
                effect=float(effect[j]),
                effect_ci_low=float(lo),
                effect_ci_high=float(hi),
                p_value=float(p_values[j]),
                modelled_impact=float(modelled[j]),
                modelled_ci_low=float(lo * share[j]),
                modelled_ci_high=float(hi * share[j]),
                rank=int(rank[j]),
                impact=float(impact[j]),
                impact_rank=int(i_rank[j]),
                disagreement=flag or None,
                baseline=baseline,
            )
        )
    rows.sort(key=lambda d: d.rank)
    return tuple(rows)
