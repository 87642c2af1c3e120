"""Accounts at risk: a transparent VoC health score per account and the ARR behind themes.

Components (each 0..100, higher is healthier; a component without data is left out and the
weights of the others are renormalised, and the report says so):

- ``nps``: the account's NPS in its latest campaign with responses, mapped -100..100 -> 0..100.
- ``trend``: 50 + (latest NPS - NPS in its previous campaign) / 2, clipped to 0..100.
- ``negative_share``: 100 x (1 - share of its tickets and survey answers labelled negative).
- ``ticket_volume``: 100 x (1 - percentile of its tickets per person among all accounts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from voc.campaign.schemas import AccountHealth, HealthComponent, HealthWeights, ThemeArr
from voc.campaign.stats import FloatArray, IntArray, categorise
from voc.errors import InvalidInput

TOP_THEMES = 3


@dataclass(frozen=True)
class AccountItems:
    """Column arrays of every feedback item of accounts (one row per item)."""

    account: IntArray  # index into ``Accounts``
    person: IntArray  # customer id
    campaign_rank: IntArray  # index into ``campaigns`` (oldest first), -1 without a campaign
    score: FloatArray  # NaN without a score
    is_ticket: npt.NDArray[np.bool_]
    is_survey: npt.NDArray[np.bool_]
    is_negative: npt.NDArray[np.bool_]
    has_sentiment: npt.NDArray[np.bool_]
    theme: IntArray  # index into the theme list, -1 for none


@dataclass(frozen=True)
class Accounts:
    """The accounts, in index order."""

    ids: Sequence[int]
    names: Sequence[str]
    arr: FloatArray  # NaN when unknown


def _latest_two(items: AccountItems, n_acc: int) -> tuple[IntArray, IntArray]:
    scored = ~np.isnan(items.score) & (items.campaign_rank >= 0)
    latest = np.full(n_acc, -1, dtype=np.int64)
    np.maximum.at(latest, items.account[scored], items.campaign_rank[scored])
    earlier = scored & (items.campaign_rank < latest[items.account])
    previous = np.full(n_acc, -1, dtype=np.int64)
    np.maximum.at(previous, items.account[earlier], items.campaign_rank[earlier])
    return latest, previous


def _nps_in(items: AccountItems, rank: IntArray, n_acc: int) -> tuple[FloatArray, IntArray]:
    """Per account, NPS of its scored items in the campaign ``rank[account]``, and their count."""
    sel = (
        ~np.isnan(items.score)
        & (items.campaign_rank == rank[items.account])
        & (rank[items.account] >= 0)
    )
    cats = categorise(items.score[sel].astype(np.int64))
    acc = items.account[sel]
    n = np.bincount(acc, minlength=n_acc)
    net = np.bincount(acc, weights=np.array([1.0, 0.0, -1.0])[cats], minlength=n_acc)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, 100.0 * net / n, np.nan), n.astype(np.int64)


def _top_themes(items: AccountItems, n_acc: int, labels: Sequence[str]) -> list[tuple[str, ...]]:
    has = items.theme >= 0
    codes = items.account[has] * max(len(labels), 1) + items.theme[has]
    uniq, counts = np.unique(codes, return_counts=True)
    acc, theme = np.divmod(uniq, max(len(labels), 1))
    order = np.lexsort((theme, -counts, acc))
    result: list[list[str]] = [[] for _ in range(n_acc)]
    for i in order:
        if len(result[acc[i]]) < TOP_THEMES:
            result[acc[i]].append(labels[theme[i]])
    return [tuple(r) for r in result]


def _components(
    items: AccountItems, n_acc: int, campaigns: Sequence[str]
) -> tuple[dict[str, FloatArray], dict[str, list[str]], dict[str, FloatArray]]:
    latest, previous = _latest_two(items, n_acc)
    nps_now, n_now = _nps_in(items, latest, n_acc)
    nps_before, _ = _nps_in(items, previous, n_acc)
    basis = (items.is_ticket | items.is_survey) & items.has_sentiment
    n_basis = np.bincount(items.account[basis], minlength=n_acc)
    n_neg = np.bincount(items.account[basis & items.is_negative], minlength=n_acc)
    people = np.unique(np.stack([items.account, items.person]), axis=1)[0]
    n_people = np.maximum(np.bincount(people, minlength=n_acc), 1)
    n_tickets = np.bincount(items.account[items.is_ticket], minlength=n_acc)
    per_person = n_tickets / n_people
    percentile = (np.argsort(np.argsort(per_person, kind="stable"), kind="stable")) / max(
        n_acc - 1, 1
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        neg_share = np.where(n_basis > 0, n_neg / n_basis, np.nan)
    values = {
        "nps": (nps_now + 100.0) / 2.0,
        "trend": np.clip(50.0 + (nps_now - nps_before) / 2.0, 0.0, 100.0),
        "negative_share": 100.0 * (1.0 - neg_share),
        "ticket_volume": 100.0 * (1.0 - percentile),
    }
    name = [campaigns[r] if r >= 0 else "" for r in latest]
    before = [campaigns[r] if r >= 0 else "" for r in previous]
    details = {
        "nps": [
            f"NPS {nps_now[a]:+.0f} from {n_now[a]} response(s) in {name[a]}"
            if n_now[a]
            else "no NPS responses"
            for a in range(n_acc)
        ],
        "trend": [
            f"{'down' if nps_now[a] < nps_before[a] else 'up'} "
            f"{abs(nps_now[a] - nps_before[a]):.0f} points since {before[a]}"
            if previous[a] >= 0
            else "no earlier campaign"
            for a in range(n_acc)
        ],
        "negative_share": [
            f"{n_neg[a]} of {n_basis[a]} tickets/survey answers negative"
            if n_basis[a]
            else "no tickets or survey answers"
            for a in range(n_acc)
        ],
        "ticket_volume": [
            f"{n_tickets[a]} ticket(s), {per_person[a]:.1f} per person "
            f"(more than {100 * percentile[a]:.0f}% of accounts)"
            for a in range(n_acc)
        ],
    }
    raw = {
        "latest": nps_now,
        "previous": nps_before,
        "neg_share": neg_share,
        "n_basis": n_basis.astype(np.float64),
        "n_people": n_people.astype(np.float64),
        "n_tickets": n_tickets.astype(np.float64),
    }
    return values, details, raw


def _reason(components: Sequence[HealthComponent], themes: tuple[str, ...], arr: float) -> str:
    weak = sorted((c for c in components if c.value is not None and c.value < 50), key=_value)
    parts = [c.detail for c in weak[:3]] or ["no weak component"]
    if themes:
        parts.append("raises " + ", ".join(themes))
    if not np.isnan(arr):
        parts.append(f"ARR {arr:,.0f}")
    return "; ".join(parts)


def _value(component: HealthComponent) -> float:
    return component.value if component.value is not None else 100.0


def score_accounts(
    items: AccountItems,
    accounts: Accounts,
    *,
    campaigns: Sequence[str],
    theme_labels: Sequence[str],
    weights: HealthWeights,
) -> tuple[AccountHealth, ...]:
    """Every account with items, ranked from least to most healthy (ties: larger ARR first)."""
    n_acc = len(accounts.ids)
    names = ("nps", "trend", "negative_share", "ticket_volume")
    w = {name: float(getattr(weights, name)) for name in names}
    if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise InvalidInput(f"health weights must be non-negative and not all zero, got {w}")
    values, details, raw = _components(items, n_acc, campaigns)
    themes = _top_themes(items, n_acc, theme_labels)
    active = np.bincount(items.account, minlength=n_acc) > 0
    rows: list[AccountHealth] = []
    for a in np.flatnonzero(active).tolist():
        comps = tuple(
            HealthComponent(
                name=name,
                value=None if np.isnan(values[name][a]) else round(float(values[name][a]), 1),
                weight=w[name],
                detail=details[name][a],
            )
            for name in w
        )
        used = [(c.value, c.weight) for c in comps if c.value is not None]
        total = sum(wt for _, wt in used)
        score = sum(v * wt for v, wt in used) / total if total > 0 else 50.0
        arr = float(accounts.arr[a])
        rows.append(
            AccountHealth(
                account_id=int(accounts.ids[a]),
                name=accounts.names[a],
                arr=None if np.isnan(arr) else arr,
                n_people=int(raw["n_people"][a]),
                latest_nps=_maybe(raw["latest"][a]),
                previous_nps=_maybe(raw["previous"][a]),
                n_negative_basis=int(raw["n_basis"][a]),
                negative_share=_maybe(raw["neg_share"][a]),
                n_tickets=int(raw["n_tickets"][a]),
                themes=themes[a],
                components=comps,
                score=round(score, 1),
                reason=_reason(comps, themes[a], arr),
                rank=0,
            )
        )
    rows.sort(key=lambda r: (r.score, -(r.arr or 0.0), r.name))
    return tuple(_with_rank(r, i + 1) for i, r in enumerate(rows))


def _maybe(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _with_rank(row: AccountHealth, rank: int) -> AccountHealth:
    return replace(row, rank=rank)


def detractor_arr_by_theme(
    items: AccountItems,
    accounts: Accounts,
    *,
    campaign_rank: int,
    theme_ids: Sequence[int],
    theme_labels: Sequence[str],
) -> tuple[ThemeArr, ...]:
    """ARR of distinct accounts whose detractors in one campaign raise each theme."""
    sel = (items.campaign_rank == campaign_rank) & ~np.isnan(items.score) & (items.theme >= 0)
    sel[sel] = categorise(items.score[sel].astype(np.int64)) == 2
    k = len(theme_ids)
    n_det = np.bincount(items.theme[sel], minlength=k)
    pairs = np.unique(np.stack([items.theme[sel], items.account[sel]]), axis=1)
    arr = np.nan_to_num(accounts.arr)[pairs[1]] if pairs.size else np.zeros(0)
    total = np.bincount(pairs[0], weights=arr, minlength=k) if pairs.size else np.zeros(k)
    n_accounts = np.bincount(pairs[0], minlength=k) if pairs.size else np.zeros(k, np.int64)
    rows = [
        ThemeArr(
            theme_id=int(theme_ids[j]),
            label=theme_labels[j],
            arr=float(total[j]),
            n_accounts=int(n_accounts[j]),
            n_detractors=int(n_det[j]),
        )
        for j in range(k)
        if n_det[j] > 0
    ]
    rows.sort(key=lambda r: (-r.arr, -r.n_detractors, r.label))
    return tuple(rows)
