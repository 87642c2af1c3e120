"""Accounts at risk: components, weights, ranking, reasons and ARR behind detractor themes."""

from __future__ import annotations

import numpy as np
import pytest

from voc.campaign.health import AccountItems, Accounts, detractor_arr_by_theme, score_accounts
from voc.campaign.schemas import HealthWeights
from voc.errors import InvalidInput

NAN = float("nan")
# account 0 "Acme": Q1 scores 10, 9 (NPS 100) -> Q2 scores 2, 3 (NPS -100); 2 negative tickets
# account 1 "Globex": Q2 scores 10, 8 (NPS 50); one positive survey answer
ITEMS = AccountItems(
    account=np.array([0, 0, 0, 0, 0, 0, 1, 1, 1]),
    person=np.array([1, 2, 1, 2, 1, 2, 3, 4, 3]),
    campaign_rank=np.array([0, 0, 1, 1, -1, -1, 1, 1, -1]),
    score=np.array([10, 9, 2, 3, NAN, NAN, 10, 8, NAN]),
    is_ticket=np.array([0, 0, 0, 0, 1, 1, 0, 0, 0], dtype=bool),
    is_survey=np.array([0, 0, 0, 0, 0, 0, 0, 0, 1], dtype=bool),
    is_negative=np.array([0, 0, 1, 1, 1, 1, 0, 0, 0], dtype=bool),
    has_sentiment=np.ones(9, dtype=bool),
    theme=np.array([-1, -1, 0, 1, 0, 0, -1, 1, -1]),
)
ACCOUNTS = Accounts(ids=[10, 20], names=["Acme", "Globex"], arr=np.array([120_000.0, 50_000.0]))


DEFAULT_WEIGHTS = HealthWeights()


def _score(weights: HealthWeights = DEFAULT_WEIGHTS) -> dict[str, object]:
    rows = score_accounts(
        ITEMS, ACCOUNTS, campaigns=["Q1", "Q2"], theme_labels=["Billing", "Export"], weights=weights
    )
    return {r.name: r for r in rows}


def test_components_and_score_are_the_documented_arithmetic() -> None:
    acme = _score()["Acme"]
    comps = {c.name: c.value for c in acme.components}  # type: ignore[attr-defined]
    # nps: (-100 + 100) / 2 = 0; trend: 50 + (-100 - 100) / 2 -> clipped 0
    # negative share: 2 of 2 tickets negative -> 0; tickets: 2 per 2 people = 1.0, the most -> 0
    assert comps == {"nps": 0.0, "trend": 0.0, "negative_share": 0.0, "ticket_volume": 0.0}
    assert acme.score == 0.0  # type: ignore[attr-defined]
    assert acme.rank == 1  # type: ignore[attr-defined]
    assert "down 200 points since Q1" in acme.reason  # type: ignore[attr-defined]
    assert "raises Billing, Export" in acme.reason  # type: ignore[attr-defined]


def test_missing_components_renormalise_the_weights() -> None:
    globex = _score()["Globex"]
    comps = {c.name: c.value for c in globex.components}  # type: ignore[attr-defined]
    # nps (100 + 50) / 2 = 75; no earlier campaign -> trend None; survey positive -> 100;
    # no tickets -> lowest percentile -> 100
    assert comps == {"nps": 75.0, "trend": None, "negative_share": 100.0, "ticket_volume": 100.0}
    # (0.4 * 75 + 0.3 * 100 + 0.1 * 100) / (0.4 + 0.3 + 0.1) = 70 / 0.8 = 87.5
    assert globex.score == pytest.approx(87.5)  # type: ignore[attr-defined]


def test_weights_change_the_score_and_bad_weights_are_refused() -> None:
    only_nps = _score(HealthWeights(nps=1, trend=0, negative_share=0, ticket_volume=0))
    assert only_nps["Globex"].score == pytest.approx(75.0)  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput, match="weights"):
        _score(HealthWeights(nps=0, trend=0, negative_share=0, ticket_volume=0))


def test_arr_behind_each_theme_among_detractors_counts_each_account_once() -> None:
    rows = detractor_arr_by_theme(
        ITEMS, ACCOUNTS, campaign_rank=1, theme_ids=[5, 6], theme_labels=["Billing", "Export"]
    )
    assert [(r.label, r.arr, r.n_accounts, r.n_detractors) for r in rows] == [
        ("Billing", 120_000.0, 1, 1),
        ("Export", 120_000.0, 1, 1),
    ]
