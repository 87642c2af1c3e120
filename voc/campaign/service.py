"""Use cases of the NPS campaign analysis: list campaigns, build a report, accounts at risk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from sqlalchemy.orm import Session

from voc.campaign import drivers, emerging, health, repository, stats
from voc.campaign.repository import CampaignData
from voc.campaign.schemas import (
    AccountHealth,
    AnalysisOptions,
    CampaignReport,
    CampaignSummary,
    Driver,
    EmergingTheme,
    GroupNps,
    HealthWeights,
    NpsChange,
    NpsEstimate,
    ThemeArr,
    ThemeImpact,
)
from voc.errors import InvalidInput, NotFound

CALL_LIST_SIZE = 10
# the theme level a report reads: fine themes, or the parent themes that group them
Level = Literal["theme", "parent"]


def options_from_settings(settings: Any) -> AnalysisOptions:
    """Report options from ``Settings.nps`` (any object with ``nps.min_group_size``)."""
    size = int(settings.nps.min_group_size)
    return AnalysisOptions(min_group_size=size, min_theme_size=size)


def weights_from_settings(settings: Any) -> HealthWeights:
    """Health weights from ``Settings.nps.health_weights``."""
    w = settings.nps.health_weights
    return HealthWeights(
        nps=w.nps, trend=w.trend, negative_share=w.negative_share, ticket_volume=w.ticket_volume
    )


def list_campaigns(session: Session) -> list[CampaignSummary]:
    """Every campaign, oldest first, with response counts and NPS (None without scores)."""
    out = []
    for row in repository.campaign_rows(session):
        counts = [row.promoters, row.passives, row.detractors]
        est = stats.estimate_from_counts(counts) if sum(counts) > 0 else None
        out.append(
            CampaignSummary(row.name, row.n_responses, row.n_scored, est, row.first_at, row.last_at)
        )
    return out


def _require(session: Session, name: str) -> None:
    known = [r.name for r in repository.campaign_rows(session)]
    if name not in known:
        listed = ", ".join(known) if known else "none: import feedback with a campaign first"
        raise NotFound(f"campaign {name!r} not found; known campaigns: {listed}")


def _load(session: Session, name: str, by: str | None) -> CampaignData:
    _require(session, name)
    data = repository.load_campaign(session, campaign=name, by=by)
    if data.scores.size == 0:
        raise InvalidInput(
            f"campaign {name!r} has {data.n_responses} response(s) but none with a 0..10 score"
        )
    return data


def _membership(theme: np.ndarray, theme_ids: Sequence[int]) -> np.ndarray:
    m = np.zeros((theme.size, len(theme_ids)), dtype=bool)
    rows = np.flatnonzero(theme >= 0)
    m[rows, np.searchsorted(np.asarray(theme_ids, dtype=np.int64), theme[rows])] = True
    return m


@dataclass(frozen=True)
class _Scope:
    """What every section of one report reads: both campaigns and their themes."""

    data: CampaignData
    previous: CampaignData | None
    theme_ids: list[int]
    labels: list[str]
    membership: np.ndarray  # (responses, themes) of the campaign


def _to_parents(session: Session, data: CampaignData) -> CampaignData:
    """The same responses with each theme replaced by its parent theme (-1: no parent)."""
    found = sorted({int(t) for t in np.unique(data.theme) if t >= 0})
    parent = repository.parents_of_themes(session, found)
    lookup = np.asarray([parent[t].id if t in parent else -1 for t in found], dtype=np.int64)
    rows = data.theme >= 0
    mapped = np.full(data.theme.shape, -1, dtype=np.int64)
    if found:
        mapped[rows] = lookup[np.searchsorted(np.asarray(found, dtype=np.int64), data.theme[rows])]
    return replace(data, theme=mapped)


def _scope(
    session: Session, campaign: str, compare: str | None, by: str | None, level: Level = "theme"
) -> _Scope:
    data = _load(session, campaign, by)
    previous = _load(session, compare, None) if compare else None
    if level == "parent":
        data = _to_parents(session, data)
        previous = _to_parents(session, previous) if previous is not None else None
    found = {int(t) for t in np.unique(data.theme) if t >= 0}
    if previous is not None:
        found |= {int(t) for t in np.unique(previous.theme) if t >= 0}
    theme_ids = sorted(found)
    refs = (
        repository.parents_by_id(session, theme_ids)
        if level == "parent"
        else repository.themes_by_id(session, theme_ids)
    )
    labels = [refs[t].label if t in refs else f"theme {t}" for t in theme_ids]
    return _Scope(data, previous, theme_ids, labels, _membership(data.theme, theme_ids))


def _groups(scope: _Scope, by: str | None, opts: AnalysisOptions) -> tuple[GroupNps, ...]:
    if not by or scope.data.groups is None:
        return ()
    return stats.by_group(
        scope.data.scores,
        scope.data.groups,
        field=by,
        min_group_size=opts.min_group_size,
        confidence=opts.confidence,
    )


def _impacts(scope: _Scope, opts: AnalysisOptions) -> tuple[ThemeImpact, ...]:
    present = scope.membership.any(axis=0)
    used: list[int] = np.flatnonzero(present).tolist()
    return drivers.theme_impacts(
        scope.data.scores,
        scope.membership[:, present],
        theme_ids=[scope.theme_ids[j] for j in used],
        labels=[scope.labels[j] for j in used],
        min_theme_size=opts.min_theme_size,
        confidence=opts.confidence,
    )


def _drivers(scope: _Scope, opts: AnalysisOptions) -> tuple[tuple[Driver, ...], list[str]]:
    """The driver model, or a note saying why it was skipped."""
    try:
        key = drivers.key_drivers(
            scope.data.scores,
            scope.membership,
            theme_ids=scope.theme_ids,
            labels=scope.labels,
            confidence=opts.confidence,
        )
    except InvalidInput as exc:
        return (), [f"driver model skipped: {exc.detail}"]
    return key, []


def _change(
    scope: _Scope, overall: NpsEstimate, campaign: str, compare: str | None, opts: AnalysisOptions
) -> tuple[NpsEstimate | None, NpsChange | None, tuple[EmergingTheme, ...]]:
    """The compared campaign's NPS, the change and the emerging themes (all None without)."""
    if scope.previous is None or compare is None:
        return None, None, ()
    previous = stats.estimate(scope.previous.scores, opts.confidence)
    change = stats.compare(overall, previous, campaign=campaign, compared_to=compare)
    emerging_rows = emerging.emerging_themes(
        scope.membership.sum(axis=0),
        scope.data.scores.size,
        _membership(scope.previous.theme, scope.theme_ids).sum(axis=0),
        scope.previous.scores.size,
        theme_ids=scope.theme_ids,
        labels=scope.labels,
        alpha=opts.fdr_alpha,
    )
    return previous, change, emerging_rows


def build_report(
    session: Session,
    *,
    campaign: str,
    compare: str | None = None,
    by: str | None = None,
    options: AnalysisOptions | None = None,
    weights: HealthWeights | None = None,
    level: Level = "theme",
) -> CampaignReport:
    """The full campaign report: NPS, groups, change, theme impact, drivers, emerging themes.

    ``level="parent"``: impact, drivers and emerging themes over the parent themes (a response
    belongs to the parent of its theme); the accounts section stays at the theme level.
    """
    opts = options or AnalysisOptions()
    if compare is not None and compare == campaign:
        raise InvalidInput(f"compare: must name another campaign than {campaign!r}")
    if level not in ("theme", "parent"):
        raise InvalidInput(f"level: theme or parent, not {level!r}")
    scope = _scope(session, campaign, compare, by, level)
    overall = stats.estimate(scope.data.scores, opts.confidence)
    key, notes = _drivers(scope, opts)
    previous, change, emerging_rows = _change(scope, overall, campaign, compare, opts)
    if overall.n < opts.min_group_size:
        notes.append(f"only {overall.n} scored responses: every figure is very uncertain")
    accounts, theme_arr = _accounts(session, campaign, weights or HealthWeights())
    return CampaignReport(
        campaign=campaign,
        compared_to=compare,
        by=by,
        level=level,
        generated_at=datetime.now(UTC),
        options=opts,
        overall=overall,
        previous=previous,
        change=change,
        groups=_groups(scope, by, opts),
        impacts=_impacts(scope, opts),
        drivers=key,
        emerging=emerging_rows,
        n_unthemed=int((scope.data.theme < 0).sum()),
        notes=tuple(notes),
        accounts=accounts[:CALL_LIST_SIZE],
        theme_arr=theme_arr,
    )


def _account_inputs(
    session: Session,
) -> tuple[health.AccountItems, health.Accounts, list[str], list[int], list[str]] | None:
    cols = repository.account_item_columns(session)
    if cols["account"].size == 0:
        return None
    order = [r.name for r in repository.campaign_rows(session)]
    rank_of = {name: i for i, name in enumerate(order)}
    acc_ids, acc_idx = np.unique(cols["account"].astype(np.int64), return_inverse=True)
    info = {i: (n, a) for i, n, a in repository.accounts_by_id(session, acc_ids.tolist())}
    theme_raw = cols["theme"].astype(np.int64)
    theme_ids = sorted({int(t) for t in np.unique(theme_raw) if t >= 0})
    refs = repository.themes_by_id(session, theme_ids)
    theme_idx = np.where(theme_raw >= 0, np.searchsorted(theme_ids, theme_raw), -1)
    score = np.array(cols["score"].tolist(), dtype=np.float64)  # None -> NaN
    source = cols["source"].astype(str)
    sentiment = cols["sentiment"]
    items = health.AccountItems(
        account=acc_idx.astype(np.int64),
        person=cols["person"].astype(np.int64),
        campaign_rank=_ranks(cols["campaign"], rank_of),
        score=score,
        is_ticket=source == repository.SOURCE_TICKET,
        is_survey=source == repository.SOURCE_SURVEY,
        is_negative=sentiment == "negative",
        has_sentiment=np.array([s is not None for s in sentiment.tolist()], dtype=bool),
        theme=theme_idx.astype(np.int64),
    )
    accounts = health.Accounts(
        ids=acc_ids.tolist(),
        names=[info[int(i)][0] for i in acc_ids],
        arr=np.array([np.nan if info[int(i)][1] is None else info[int(i)][1] for i in acc_ids]),
    )
    labels = [refs[t].label if t in refs else f"theme {t}" for t in theme_ids]
    return items, accounts, order, theme_ids, labels


def _ranks(campaigns: np.ndarray, rank_of: dict[str, int]) -> np.ndarray:
    names, inverse = np.unique(campaigns.astype(str), return_inverse=True)
    return np.array([rank_of.get(str(n), -1) for n in names], dtype=np.int64)[inverse]


def _accounts(
    session: Session, campaign: str, weights: HealthWeights
) -> tuple[tuple[AccountHealth, ...], tuple[ThemeArr, ...]]:
    inputs = _account_inputs(session)
    if inputs is None:
        return (), ()
    items, accounts, order, theme_ids, labels = inputs
    ranked = health.score_accounts(
        items, accounts, campaigns=order, theme_labels=labels, weights=weights
    )
    arr = health.detractor_arr_by_theme(
        items,
        accounts,
        campaign_rank=order.index(campaign),
        theme_ids=theme_ids,
        theme_labels=labels,
    )
    return ranked, arr


def accounts_at_risk(
    session: Session, *, weights: HealthWeights | None = None, limit: int = CALL_LIST_SIZE
) -> Sequence[AccountHealth]:
    """The 'call this week' list: least healthy accounts first, every component shown."""
    if limit < 1:
        raise InvalidInput(f"limit must be at least 1, got {limit}")
    inputs = _account_inputs(session)
    if inputs is None:
        return []
    items, accounts, order, _, labels = inputs
    ranked = health.score_accounts(
        items, accounts, campaigns=order, theme_labels=labels, weights=weights or HealthWeights()
    )
    return ranked[:limit]
