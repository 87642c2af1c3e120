"""Parent themes: fine themes grouped by their centroids, the number of groups from the data.

Themes are merged bottom-up with Ward's criterion on their unit centroids, each theme weighing
as many items as it holds (a theme of 500 items pulls its parent's centre more than one of 20;
Lance-Williams updates keep the weights exact). The tree is cut at a number of parents whose
size-weighted silhouette of the themes (cosine distances between centroids) is within one
standard error of the best, the one nearest ``sqrt(n)`` (``pick_parents``), within a factor
of two of ``sqrt(n)`` for ``n`` themes: a two-level tree of ``n`` leaves is balanced
at ``sqrt(n)`` parents of ``sqrt(n)`` themes, and the silhouette of finer cuts keeps rising
(tighter groups) until every parent holds two themes, which would make no hierarchy at all.
The same balance bounds a parent: one of more than ``2 sqrt(n)`` themes is split into the two
groups its last merge joined, until none is (``split_oversized``).
No gold labels, no randomness: ties break by theme index, so one set of centroids always gives
one grouping.

A re-run passes the grouping it has (``prior``: the stored parent of each theme, -1 for a
theme without one), and parents then behave like themes in ``nlp.continuity``: a theme keeps
its parent, so parents do not reshuffle on every run; a new theme joins the nearest prior
group, unless the fresh cut puts it with other new themes only and none of the prior ones
(then they form a new parent together).

With fewer than ``MIN_THEMES`` themes there is nothing to group: every theme is its own
parent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from nlp.label_rules import stop_words

MIN_THEMES = 4


@dataclass(frozen=True)
class ThemeGrouping:
    """The parent index of each theme (0 .. n_parents - 1, by first theme) and the scores."""

    parents: npt.NDArray[np.int64] = field(repr=False)
    n_parents: int
    # candidate number of parents -> size-weighted silhouette (empty when nothing was cut)
    silhouettes: dict[int, float] = field(default_factory=dict)
    n_new_parents: int = 0  # with a prior: groups of new themes only, beyond the prior groups


def _unit(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    out = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: npt.NDArray[np.float64] = out / norms
    return unit


def ward_merges(
    centroids: npt.NDArray[np.float32], weights: Sequence[float]
) -> list[tuple[int, int]]:
    """The merge order of weighted Ward clustering: (kept cluster, absorbed cluster) per step.

    Cluster ``i`` starts as theme ``i``; a merge keeps the lower index. Cost of merging A and
    B: ``wA * wB / (wA + wB) * |cA - cB|^2`` (the growth of the weighted within-group sum).
    """
    points = _unit(centroids)
    n = points.shape[0]
    w = np.asarray(weights, dtype=np.float64).clip(min=1e-9)
    sq = np.sum((points[:, None, :] - points[None, :, :]) ** 2, axis=2)
    cost = (w[:, None] * w[None, :]) / (w[:, None] + w[None, :]) * sq
    np.fill_diagonal(cost, np.inf)
    alive = np.ones(n, dtype=bool)
    merges: list[tuple[int, int]] = []
    for _ in range(n - 1):
        flat = int(np.argmin(cost))  # first minimum in row-major order: deterministic ties
        a, b = divmod(flat, n)
        a, b = min(a, b), max(a, b)
        # Lance-Williams update for Ward: d(a+b, k) from d(a, k), d(b, k), d(a, b)
        wa, wb = w[a], w[b]
        others = np.flatnonzero(alive)
        others = others[(others != a) & (others != b)]
        wk = w[others]
        total = wa + wb + wk
        cost[a, others] = (
            (wa + wk) * cost[a, others] + (wb + wk) * cost[b, others] - wk * cost[a, b]
        ) / total
        cost[others, a] = cost[a, others]
        w[a] = wa + wb
        alive[b] = False
        cost[b, :] = np.inf
        cost[:, b] = np.inf
        merges.append((a, b))
    return merges


def cut(
    merges: Sequence[tuple[int, int]], n: int, n_parents: int, undone: frozenset[int] = frozenset()
) -> npt.NDArray[np.int64]:
    """Parent index of each of ``n`` themes after the first ``n - n_parents`` merges.

    Merge steps in ``undone`` are skipped: skipping the step that formed a group splits it into
    the two groups it was made of (an absorbed cluster takes part in no later merge).
    """
    root = np.arange(n)
    for step, (a, b) in enumerate(merges[: n - n_parents]):
        if step not in undone:
            root[root == b] = a
    _, parents = np.unique(root, return_inverse=True)  # numbered by their smallest theme
    out: npt.NDArray[np.int64] = parents.astype(np.int64)
    return out


def theme_silhouettes(
    distances: npt.NDArray[np.float64], groups: npt.NDArray[np.int64], weights: Sequence[float]
) -> npt.NDArray[np.float64]:
    """Silhouette of each theme in its group, with item weights on the other themes.

    A theme's distance to a group is the weighted mean distance to the group's other themes;
    a theme alone in its group scores 0 (as in the usual silhouette).
    """
    w = np.asarray(weights, dtype=np.float64)
    n_groups = int(groups.max()) + 1
    member = np.zeros((groups.size, n_groups))
    member[np.arange(groups.size), groups] = 1.0
    weighted = distances * w[None, :]
    sums = weighted @ member  # theme x group: sum of weighted distances
    mass = w @ member  # group weights
    own_mass = mass[groups] - w  # the theme's own weight leaves its own group
    own = sums[np.arange(groups.size), groups] / np.where(own_mass > 0, own_mass, 1.0)
    other = sums / np.where(mass > 0, mass, 1.0)[None, :]
    other[np.arange(groups.size), groups] = np.inf
    nearest = other.min(axis=1)
    score: npt.NDArray[np.float64] = np.where(
        own_mass > 0, (nearest - own) / np.maximum(np.maximum(nearest, own), 1e-12), 0.0
    )
    return score


def weighted_silhouette(
    distances: npt.NDArray[np.float64], groups: npt.NDArray[np.int64], weights: Sequence[float]
) -> float:
    """Silhouette of the themes with item weights: a theme counts as its items."""
    w = np.asarray(weights, dtype=np.float64)
    return float(np.sum(theme_silhouettes(distances, groups, weights) * w) / np.sum(w))


def pick_parents(
    per_theme: dict[int, npt.NDArray[np.float64]], weights: Sequence[float], n: int
) -> int:
    """The number of parents: the most balanced cut the silhouette cannot tell from the best.

    The weighted silhouette over the candidate range is U-shaped on real themes (a few huge
    groups and many pairs both score well) and its two ends can differ by less than their
    noise (clinc150, one seed: 5 parents 0.160, 20 parents 0.160). Among the counts whose
    weighted mean is within one standard error of the best (the error of the paired per-theme
    difference, with the effective number of themes of the weights), the one nearest
    ``sqrt(n)`` in ratio wins, the balanced two-level tree; ties go to fewer parents.
    """
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    n_effective = 1.0 / float(np.sum(w**2))
    means = {k: float(np.sum(values * w)) for k, values in per_theme.items()}
    best = max(means, key=lambda k: (means[k], -k))
    close = []
    for k, values in per_theme.items():
        difference = per_theme[best] - values
        spread = float(np.sum(w * (difference - np.sum(w * difference)) ** 2))
        error = math.sqrt(spread / max(1.0, n_effective - 1.0))
        if means[best] - means[k] <= error:
            close.append(k)
    root = math.sqrt(n)
    return min(close, key=lambda k: (abs(math.log(k / root)), k))


def split_oversized(
    merges: Sequence[tuple[int, int]], n: int, n_parents: int
) -> tuple[npt.NDArray[np.int64], int]:
    """The cut at ``n_parents``, with every parent of more than ``2 sqrt(n)`` themes split.

    Ward's criterion on item-weighted centroids lets many small themes that are all a little
    alike (feedback about one product) pile into one parent: on the demo sample, 19 of 44 themes
    under one label. A balanced two-level tree has ``sqrt(n)`` themes per parent; a parent of
    more than twice that is split into the two groups its last merge joined, the largest first,
    until none is (the same factor of two that bounds the number of parents).
    Returns the groups and their number.
    """
    cap = math.ceil(2 * math.sqrt(n))
    limit = n - n_parents
    undone: set[int] = set()
    while True:
        groups = cut(merges, n, n_parents, frozenset(undone))
        counts = np.bincount(groups)
        if counts.max() <= cap:
            return groups, int(counts.size)
        big = int(np.argmax(counts))  # the largest; ties to the lowest index
        root = int(np.flatnonzero(groups == big)[0])  # its smallest theme: every merge keeps it
        last = max(s for s, (a, _) in enumerate(merges[:limit]) if a == root and s not in undone)
        undone.add(last)


def parent_range(n: int) -> tuple[int, int]:
    """Candidate numbers of parents for ``n`` themes: ``sqrt(n)`` within a factor of two."""
    root = math.sqrt(n)
    upper = min(n // 2, math.ceil(2 * root))
    lower = min(upper, max(2, math.floor(root / 2)))
    return lower, upper


def _continue(
    prior: Sequence[int],
    fresh: npt.NDArray[np.int64],
    points: npt.NDArray[np.float64],
    weights: Sequence[float],
) -> tuple[npt.NDArray[np.int64], int] | None:
    """The prior grouping, new themes placed (see the module docstring); None without one."""
    groups = np.asarray(prior, dtype=np.int64)
    if not np.any(groups >= 0):
        return None
    _, known = np.unique(groups[groups >= 0], return_inverse=True)
    out = np.full(groups.size, -1, dtype=np.int64)
    out[groups >= 0] = known
    n_known = int(known.max()) + 1
    new = np.flatnonzero(out < 0)
    n_added = 0
    for g in sorted(set(fresh[new].tolist())):
        members = np.flatnonzero(fresh == g)
        if members.size >= 2 and np.all(out[members] < 0):  # new themes only: a new parent
            out[members] = n_known + n_added
            n_added += 1
    w = np.asarray(weights, dtype=np.float64)
    centres = np.stack([(points[out == g] * w[out == g, None]).sum(axis=0) for g in range(n_known)])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    rest = np.flatnonzero(out < 0)
    if rest.size:
        out[rest] = np.argmax(points[rest] @ centres.T, axis=1)
    return out, n_added


def group_themes(
    centroids: npt.NDArray[np.float32],
    sizes: Sequence[int],
    *,
    prior: Sequence[int] | None = None,
) -> ThemeGrouping:
    """Group themes into parents (see the module docstring)."""
    n = centroids.shape[0]
    if n < MIN_THEMES:
        return ThemeGrouping(np.arange(n, dtype=np.int64), n)
    weights = [max(1, int(s)) for s in sizes]
    merges = ward_merges(centroids, weights)
    points = _unit(centroids)
    distances = np.clip(1.0 - points @ points.T, 0.0, 2.0)
    lower, upper = parent_range(n)
    per_theme = {
        k: theme_silhouettes(distances, cut(merges, n, k), weights) for k in range(lower, upper + 1)
    }
    total = float(sum(weights))
    scores = {
        k: round(float(np.sum(values * np.asarray(weights)) / total), 6)
        for k, values in per_theme.items()
    }
    best = pick_parents(per_theme, weights, n)
    fresh, n_fresh = split_oversized(merges, n, best)
    kept = _continue(prior, fresh, points, weights) if prior is not None else None
    if kept is not None:
        groups, n_added = kept
        return ThemeGrouping(groups, int(groups.max()) + 1, scores, n_new_parents=n_added)
    return ThemeGrouping(fresh, n_fresh, scores)


# A parent's phrase names its group when themes holding at least this share of its items
# have a label sharing a content word with it; below, it names one theme, not the group.
GROUP_COVER = 0.5


def _stems(label: str, stop: frozenset[str]) -> set[str]:
    """Content words of a label, lower case, a plural ``s`` dropped (cards ~ card)."""
    words = re.findall(r"[a-z0-9]+", label.lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in stop}


def group_label(phrase: str, children: Sequence[tuple[str, int]]) -> str:
    """The label of a parent: its phrase when it names the group, else its largest themes.

    ``phrase`` is the label machinery's phrase for the parent's items; ``children`` are the
    (label, size) of its themes. A phrase taken from the parent's pooled items tends to be the
    largest theme's own label ("Flip coin" over coin, dice, spelling and ten more themes),
    which tells a reader the group is about that one thing. When the phrase's content words
    appear in the labels of themes holding at least GROUP_COVER of the items, it stays;
    otherwise the parent is named by its two largest themes and how many more it holds
    ("Flip coin, Roll dice and 11 more"): longer, but true of the group.
    """
    named = [(label, size) for label, size in children if label]
    if len(named) < 2:
        return phrase or (named[0][0] if named else "")
    stop = stop_words()
    words = _stems(phrase, stop)
    total = sum(size for _, size in named) or 1
    covered = sum(size for label, size in named if words & _stems(label, stop))
    if phrase and covered >= GROUP_COVER * total:
        return phrase
    ordered = sorted(named, key=lambda pair: -pair[1])
    first, second = ordered[0][0], ordered[1][0]
    rest = len(ordered) - 2
    if rest == 0:
        return f"{first} and {second}"
    return f"{first}, {second} and {rest} more"
