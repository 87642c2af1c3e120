"""The evidence behind a request: its items, customers, accounts, ARR, NPS and opportunity.

An item counts as evidence when it is linked directly to the request, or when it sits in a
confirmed (active) theme with an assignment confidence at or above
``settings.requests.min_confidence``. Items assigned through the incremental path count at
once: the detail is computed live; the list reads ``request_stats``, refreshed whenever a link
changes or a linked theme's stats are newer than the stored row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from voc.campaign import stats as nps_stats
from voc.config import get_settings
from voc.customer.models import Account, Customer
from voc.feedback.models import Feedback
from voc.request.models import (
    FeedbackRequestLink,
    LinkState,
    ProductRequest,
    RequestStats,
    ThemeRequestLink,
)
from voc.request.schemas import (
    Evidence,
    EvidenceItem,
    EvidenceQuote,
    MixCount,
    NpsRead,
    Opportunity,
    OpportunityComponent,
    WeekCount,
)
from voc.theme.models import Theme, ThemeAssignment, ThemeStats, ThemeStatus
from voc.types import utcnow

WINDOW = timedelta(days=28)  # recent growth: the last 28 days against the 28 before
N_QUOTES = 3
UNKNOWN = "unknown"


def _min_confidence(value: float | None) -> float:
    return get_settings().requests.min_confidence if value is None else float(value)


def confirmed_themes(session: Session, request_id: int) -> list[int]:
    """Active themes confirmed for the request."""
    return list(
        session.scalars(
            select(ThemeRequestLink.theme_id)
            .join(Theme, Theme.id == ThemeRequestLink.theme_id)
            .where(
                ThemeRequestLink.request_id == request_id,
                ThemeRequestLink.state == LinkState.CONFIRMED,
                Theme.status == ThemeStatus.ACTIVE,
            )
        )
    )


def evidence_ids(session: Session, *, request_id: int, min_confidence: float) -> Select[Any]:
    """A select of the evidence item ids (direct links and confident items of themes)."""
    direct = select(FeedbackRequestLink.feedback_id.label("feedback_id")).where(
        FeedbackRequestLink.request_id == request_id
    )
    theme_ids = confirmed_themes(session, request_id)
    if not theme_ids:
        return direct
    themed = select(ThemeAssignment.feedback_id.label("feedback_id")).where(
        ThemeAssignment.theme_id.in_(theme_ids), ThemeAssignment.confidence >= min_confidence
    )
    return select(union(direct, themed).subquery().c.feedback_id)


def _week_start(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", func.timezone("UTC", Feedback.created_at)), Date)
    return func.date(Feedback.created_at, "weekday 0", "-6 days")


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


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


def _totals(session: Session, ids: Select[Any], now: datetime) -> dict[str, Any]:
    in_ids = Feedback.id.in_(ids)
    row = session.execute(
        select(
            func.count(),
            func.count(func.distinct(Feedback.customer_id)),
            _count_if(Feedback.sentiment_label == "negative"),
            _count_if(Feedback.score >= 9),
            _count_if(Feedback.score.between(7, 8)),
            _count_if(Feedback.score <= 6),
            _count_if(Feedback.created_at >= now - WINDOW),
            _count_if(
                (Feedback.created_at < now - WINDOW) & (Feedback.created_at >= now - 2 * WINDOW)
            ),
        ).where(in_ids)
    ).one()
    accounts = (
        select(Customer.account_id)
        .join(Feedback, Feedback.customer_id == Customer.id)
        .where(in_ids, Customer.account_id.is_not(None))
        .distinct()
    )
    n_accounts, arr = session.execute(
        select(func.count(), func.coalesce(func.sum(Account.arr), 0.0)).where(
            Account.id.in_(accounts)
        )
    ).one()
    n, n_customers, n_negative, promoters, passives, detractors, recent, previous = (
        int(v or 0) for v in row
    )
    return {
        "n_items": n,
        "n_customers": n_customers,
        "n_accounts": int(n_accounts or 0),
        "arr": float(arr or 0.0),
        "n_negative": n_negative,
        "counts": (promoters, passives, detractors),
        "n_recent": recent,
        "n_previous": previous,
    }


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


def _mix(session: Session, ids: Select[Any], column: Any, n: int) -> list[MixCount]:
    name = func.coalesce(column, UNKNOWN).label("name")
    rows = session.execute(
        select(name, func.count())
        .select_from(Feedback)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(Account, Account.id == Customer.account_id)
        .where(Feedback.id.in_(ids))
        .group_by(name)
        .order_by(func.count().desc(), name)
    ).all()
    return [MixCount(name=str(k), count=int(c), share=round(int(c) / n, 4) if n else 0.0)
            for k, c in rows]  # fmt: skip


def _weekly(session: Session, ids: Select[Any]) -> list[WeekCount]:
    week = _week_start(session).label("week")
    rows = session.execute(
        select(week, func.count()).where(Feedback.id.in_(ids)).group_by(week).order_by(week)
    ).all()
    out = []
    for value, count in rows:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        out.append(WeekCount(week=day, count=int(count)))
    return out


def _quotes(
    session: Session, *, request_id: int, ids: Select[Any], theme_ids: Sequence[int], negative: bool
) -> list[EvidenceQuote]:
    confidence = ThemeAssignment.confidence
    query = (
        select(Feedback, Customer.account_id, ThemeAssignment.theme_id, confidence)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id)
        .where(Feedback.id.in_(ids))
    )
    if negative:
        query = query.where(Feedback.sentiment_score < 0).order_by(
            Feedback.sentiment_score, Feedback.id
        )
    else:
        in_theme = ThemeAssignment.theme_id.in_(list(theme_ids)) if theme_ids else literal(False)
        query = query.order_by(
            case((in_theme, confidence), else_=0.0).desc(), Feedback.created_at.desc(), Feedback.id
        )
    rows = session.execute(query.limit(N_QUOTES)).all()
    direct = set(
        session.scalars(
            select(FeedbackRequestLink.feedback_id).where(
                FeedbackRequestLink.request_id == request_id,
                FeedbackRequestLink.feedback_id.in_([r[0].id for r in rows]),
            )
        )
    )
    return [
        EvidenceQuote(
            feedback_id=item.id,
            text=item.text,
            source=item.source,
            score=item.score,
            sentiment_score=item.sentiment_score,
            created_at=item.created_at,
            customer_id=item.customer_id,
            account_id=account_id,
            via="direct" if item.id in direct else "theme",
            theme_id=theme_id if theme_id in theme_ids else None,
            confidence=conf if theme_id in theme_ids else None,
        )
        for item, account_id, theme_id, conf in rows
    ]


def compute(
    session: Session,
    *,
    request_id: int,
    min_confidence: float | None = None,
    now: datetime | None = None,
) -> Evidence:
    """The live evidence of one request."""
    threshold = _min_confidence(min_confidence)
    now = now or utcnow()
    ids = evidence_ids(session, request_id=request_id, min_confidence=threshold)
    totals = _totals(session, ids, now)
    theme_ids = confirmed_themes(session, request_id)
    n = totals["n_items"]
    n_direct = (
        session.scalar(select(func.count()).where(FeedbackRequestLink.request_id == request_id))
        or 0
    )
    negative_share = round(totals["n_negative"] / n, 4) if n else None
    g = growth(totals["n_recent"], totals["n_previous"])
    return Evidence(
        n_items=n,
        n_direct=int(n_direct),
        n_customers=totals["n_customers"],
        n_accounts=totals["n_accounts"],
        arr=totals["arr"],
        n_negative=totals["n_negative"],
        negative_share=negative_share,
        n_recent=totals["n_recent"],
        n_previous=totals["n_previous"],
        growth=g,
        nps=_nps(totals["counts"]),
        min_confidence=threshold,
        segments=_mix(session, ids, Account.segment, n) if n else [],
        plans=_mix(session, ids, Account.plan, n) if n else [],
        weekly=_weekly(session, ids) if n else [],
        quotes=_quotes(session, request_id=request_id, ids=ids, theme_ids=theme_ids,
                       negative=False) if n else [],
        negative_quotes=_quotes(session, request_id=request_id, ids=ids, theme_ids=theme_ids,
                                negative=True) if n else [],
        opportunity=opportunity(
            arr=totals["arr"], n_customers=totals["n_customers"], growth_value=g,
            negative_share=negative_share,
        ),
    )  # fmt: skip


def evidence_items(
    session: Session, *, request_id: int, min_confidence: float | None = None
) -> list[EvidenceItem]:
    """Every evidence item of a request with its customer and account (close the loop)."""
    threshold = _min_confidence(min_confidence)
    ids = evidence_ids(session, request_id=request_id, min_confidence=threshold)
    theme_ids = set(confirmed_themes(session, request_id))
    direct = set(
        session.scalars(
            select(FeedbackRequestLink.feedback_id).where(
                FeedbackRequestLink.request_id == request_id
            )
        )
    )
    rows = session.execute(
        select(Feedback.id, Feedback.customer_id, Customer.account_id, ThemeAssignment.theme_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id)
        .where(Feedback.id.in_(ids))
        .order_by(Feedback.id)
    ).all()
    return [
        EvidenceItem(
            feedback_id=fid,
            customer_id=cid,
            account_id=aid,
            via="direct" if fid in direct else "theme",
            theme_id=tid if tid in theme_ids else None,
        )
        for fid, cid, aid, tid in rows
    ]


def store_stats(session: Session, *, request_id: int, evidence: Evidence) -> None:
    """Write the totals of a computed evidence into ``request_stats``."""
    session.execute(delete(RequestStats).where(RequestStats.request_id == request_id))
    session.execute(
        insert(RequestStats),
        [
            {
                "request_id": request_id,
                "n_items": evidence.n_items,
                "n_customers": evidence.n_customers,
                "n_accounts": evidence.n_accounts,
                "arr": evidence.arr,
                "n_promoters": evidence.nps.promoters if evidence.nps else 0,
                "n_passives": evidence.nps.passives if evidence.nps else 0,
                "n_detractors": evidence.nps.detractors if evidence.nps else 0,
                "n_negative": evidence.n_negative,
                "n_recent": evidence.n_recent,
                "n_previous": evidence.n_previous,
                "nps": evidence.nps.nps if evidence.nps else None,
                "opportunity": evidence.opportunity.score,
                "computed_at": utcnow(),
            }
        ],
    )
    session.flush()


def refresh_stats(session: Session, *, request_ids: Sequence[int]) -> int:
    """Recompute the stored evidence totals of these requests; returns how many."""
    for request_id in sorted(set(request_ids)):
        store_stats(
            session, request_id=request_id, evidence=compute(session, request_id=request_id)
        )
    return len(set(request_ids))


def stale_request_ids(session: Session) -> list[int]:
    """Requests without stored totals, or whose linked themes or items changed since."""
    newer_theme = exists().where(
        ThemeRequestLink.request_id == ProductRequest.id,
        ThemeRequestLink.state == LinkState.CONFIRMED,
        ThemeStats.theme_id == ThemeRequestLink.theme_id,
        ThemeStats.computed_at > RequestStats.computed_at,
    )
    newer_item = exists().where(
        FeedbackRequestLink.request_id == ProductRequest.id,
        FeedbackRequestLink.linked_at > RequestStats.computed_at,
    )
    query = (
        select(ProductRequest.id)
        .outerjoin(RequestStats, RequestStats.request_id == ProductRequest.id)
        .where(or_(RequestStats.request_id.is_(None), newer_theme, newer_item))
    )
    return list(session.scalars(query))


def refresh_missing(session: Session) -> int:
    """Refresh the stored totals that are missing or stale; returns how many."""
    stale = stale_request_ids(session)
    return refresh_stats(session, request_ids=stale) if stale else 0


def request_ids_of_account(session: Session, *, account_id: int) -> list[int]:
    """Requests whose evidence holds items of this account's customers."""
    threshold = _min_confidence(None)
    items = (
        select(Feedback.id)
        .join(Customer, Customer.id == Feedback.customer_id)
        .where(Customer.account_id == account_id)
    )
    direct = select(FeedbackRequestLink.request_id).where(
        FeedbackRequestLink.feedback_id.in_(items)
    )
    themed = (
        select(ThemeRequestLink.request_id)
        .join(ThemeAssignment, ThemeAssignment.theme_id == ThemeRequestLink.theme_id)
        .join(Theme, Theme.id == ThemeRequestLink.theme_id)
        .where(
            ThemeRequestLink.state == LinkState.CONFIRMED,
            Theme.status == ThemeStatus.ACTIVE,
            ThemeAssignment.confidence >= threshold,
            ThemeAssignment.feedback_id.in_(items),
        )
    )
    return sorted({int(i) for i in session.scalars(union(direct, themed))})


def aware(value: datetime) -> datetime:
    """A datetime in UTC (SQLite returns naive ones)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
