"""Queries of the campaign analysis: SQL aggregates and bulk column loads into numpy.

Nothing here loops over ORM objects: campaign lists are aggregated in SQL, and a campaign's
responses come back as plain column tuples turned into arrays in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from voc.customer.models import Account, Customer
from voc.errors import InvalidInput
from voc.feedback.models import Feedback, Source
from voc.theme.models import Theme, ThemeAssignment, ThemeParent, ThemeStatus

ACCOUNT_FIELDS = ("segment", "plan", "region")
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CampaignRow:
    """One campaign as aggregated in SQL."""

    name: str
    n_responses: int
    n_scored: int
    promoters: int
    passives: int
    detractors: int
    n_out_of_range: int
    first_at: datetime | None
    last_at: datetime | None


@dataclass(frozen=True)
class CampaignData:
    """A campaign's scored responses as columns: scores, theme index (-1 none), group keys."""

    name: str
    n_responses: int
    scores: IntArray
    theme: IntArray
    groups: npt.NDArray[np.object_] | None


@dataclass(frozen=True)
class ThemeRef:
    """A theme's id and the label people see."""

    id: int
    label: str


def campaign_rows(session: Session) -> list[CampaignRow]:
    """Every campaign with counts aggregated in SQL, oldest first."""
    score = Feedback.score
    stmt = (
        select(
            Feedback.campaign,
            func.count(),
            func.count(score),
            func.sum(case((score >= 9, 1), else_=0)),
            func.sum(case((score.between(7, 8), 1), else_=0)),
            func.sum(case((score.between(0, 6), 1), else_=0)),
            func.sum(case(((score < 0) | (score > 10), 1), else_=0)),
            func.min(Feedback.created_at),
            func.max(Feedback.created_at),
        )
        .where(Feedback.campaign.is_not(None))
        .group_by(Feedback.campaign)
        .order_by(func.min(Feedback.created_at), Feedback.campaign)
    )
    return [
        CampaignRow(
            str(r[0]),
            int(r[1]),
            int(r[2]),
            int(r[3] or 0),
            int(r[4] or 0),
            int(r[5] or 0),
            int(r[6] or 0),
            r[7],
            r[8],
        )
        for r in session.execute(stmt)
    ]


def _group_expr(by: str) -> ColumnElement[Any]:
    meta_value: ColumnElement[Any] = Feedback.meta[by].as_string()
    if by in ACCOUNT_FIELDS:
        column: ColumnElement[Any] = getattr(Account, by)
        return func.coalesce(column, meta_value)
    return meta_value


def load_campaign(session: Session, *, campaign: str, by: str | None = None) -> CampaignData:
    """Scored responses of one campaign as arrays, counted in SQL per (score, theme, group).

    The database returns one row per distinct combination with its count; the arrays are
    rebuilt with ``np.repeat`` (the statistics need only these three columns per response).
    """
    theme = func.coalesce(ThemeAssignment.theme_id, -1)
    keys: list[Any] = [Feedback.score, theme]
    if by:
        keys.append(_group_expr(by).label("grp"))
    stmt = (
        select(*keys, func.count())
        .outerjoin(ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id)
        .where(Feedback.campaign == campaign, Feedback.score.is_not(None))
        .group_by(*keys)
    )
    if by in ACCOUNT_FIELDS:
        stmt = stmt.outerjoin(Customer, Customer.id == Feedback.customer_id).outerjoin(
            Account, Account.id == Customer.account_id
        )
    rows = session.connection().execute(stmt).fetchall()
    total = session.scalar(
        select(func.count()).select_from(Feedback).where(Feedback.campaign == campaign)
    )
    if not rows:
        empty = np.zeros(0, np.int64)
        return CampaignData(campaign, int(total or 0), empty, empty, None)
    cols = list(zip(*rows, strict=True))
    counts = np.fromiter(cols[-1], dtype=np.int64, count=len(rows))
    scores = np.repeat(np.fromiter(cols[0], dtype=np.int64, count=len(rows)), counts)
    bad = (scores < 0) | (scores > 10)
    if bad.any():
        raise InvalidInput(
            f"campaign {campaign!r}: {int(bad.sum())} stored score(s) outside 0..10 "
            f"(e.g. {int(scores[bad][0])}); fix the data before reporting"
        )
    themes = np.repeat(np.fromiter(cols[1], dtype=np.int64, count=len(rows)), counts)
    groups = np.repeat(np.asarray(cols[2], dtype=object), counts) if by else None
    return CampaignData(campaign, int(total or 0), scores, themes, groups)


def themes_by_id(session: Session, ids: Sequence[int]) -> dict[int, ThemeRef]:
    """Labels of the given theme ids (the human label wins over the machine label)."""
    if not ids:
        return {}
    label = func.coalesce(Theme.human_label, Theme.machine_label)
    stmt = select(Theme.id, label).where(Theme.id.in_(list(ids)))
    return {int(i): ThemeRef(int(i), str(lbl)) for i, lbl in session.execute(stmt)}


def parents_by_id(session: Session, ids: Sequence[int]) -> dict[int, ThemeRef]:
    """Labels of the given parent theme ids (the human label wins over the machine label)."""
    if not ids:
        return {}
    label = func.coalesce(ThemeParent.human_label, ThemeParent.machine_label)
    stmt = select(ThemeParent.id, label).where(ThemeParent.id.in_(list(ids)))
    return {int(i): ThemeRef(int(i), str(lbl)) for i, lbl in session.execute(stmt)}


def parents_of_themes(session: Session, ids: Sequence[int]) -> dict[int, ThemeRef]:
    """The active parent (id and label) of each given theme that has one."""
    if not ids:
        return {}
    label = func.coalesce(ThemeParent.human_label, ThemeParent.machine_label)
    stmt = (
        select(Theme.id, ThemeParent.id, label)
        .join(ThemeParent, ThemeParent.id == Theme.parent_id)
        .where(Theme.id.in_(list(ids)), ThemeParent.status == ThemeStatus.ACTIVE)
    )
    return {int(t): ThemeRef(int(p), str(lbl)) for t, p, lbl in session.execute(stmt)}


def account_item_columns(session: Session) -> dict[str, npt.NDArray[Any]]:
    """Every feedback item of a customer with an account, as columns."""
    stmt = (
        select(
            Customer.account_id,
            Feedback.customer_id,
            func.coalesce(Feedback.campaign, ""),
            Feedback.score,
            Feedback.source,
            Feedback.sentiment_label,
            func.coalesce(ThemeAssignment.theme_id, -1),
        )
        .join(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id)
        .where(Customer.account_id.is_not(None))
    )
    rows = session.connection().execute(stmt).fetchall()  # Core rows: no ORM overhead
    names = ("account", "person", "campaign", "score", "source", "sentiment", "theme")
    if not rows:
        return {name: np.zeros(0, dtype=object) for name in names}
    cols = list(zip(*rows, strict=True))
    return {name: np.asarray(col, dtype=object) for name, col in zip(names, cols, strict=True)}


def accounts_by_id(session: Session, ids: Sequence[int]) -> list[tuple[int, str, float | None]]:
    """(id, name, ARR) of the given accounts."""
    if not ids:
        return []
    stmt = select(Account.id, Account.name, Account.arr).where(Account.id.in_(list(ids)))
    return [(int(i), str(n), a) for i, n, a in session.execute(stmt)]


SOURCE_TICKET = Source.TICKET.value
SOURCE_SURVEY = Source.SURVEY.value
