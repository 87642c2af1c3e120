"""The evidence behind a request: its items, customers, accounts, ARR, NPS and opportunity.

An item counts as evidence when it is linked directly to the request, or when it sits in a
confirmed (active) theme with an assignment confidence at or above
``settings.requests.min_confidence``. Items assigned through the incremental path count at
once: the detail is computed live; the list reads ``request_stats``, refreshed whenever a link
changes or a linked theme's stats are newer than the stored row.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Select,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

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
DETAIL_CACHE_SIZE = 256  # evidence of this many (request, threshold, fingerprint) keys
CACHE_BUCKET_S = 600  # cached evidence is rebuilt at least this often (ARR, windows move)

_cache: OrderedDict[tuple[object, ...], Evidence] = OrderedDict()
_cache_lock = threading.Lock()


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


@dataclass(frozen=True)
class _Row:
    """One evidence item, as much as the totals, mixes and quote choice need."""

    feedback_id: int
    customer_id: int | None
    account_id: int | None
    segment: str | None
    plan: str | None
    arr: float | None
    score: int | None
    sentiment_label: str | None
    sentiment_score: float | None
    created_at: datetime
    theme_id: int | None
    confidence: float | None


def _rows(session: Session, ids: Select[Any]) -> list[_Row]:
    """Every evidence item in one query (the aggregates are summed here, not in eight)."""
    query = (
        select(
            Feedback.id, Feedback.customer_id, Customer.account_id, Account.segment,
            Account.plan, Account.arr, Feedback.score, Feedback.sentiment_label,
            Feedback.sentiment_score, Feedback.created_at, ThemeAssignment.theme_id,
            ThemeAssignment.confidence,
        )
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(Account, Account.id == Customer.account_id)
        .outerjoin(ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id)
        .where(Feedback.id.in_(ids))
    )  # fmt: skip
    return [_Row(*tuple(row)) for row in session.execute(query)]


def _mix(rows: Sequence[_Row], field: str) -> list[MixCount]:
    counts = Counter(getattr(r, field) or UNKNOWN for r in rows)
    n = len(rows)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [MixCount(name=str(k), count=c, share=round(c / n, 4)) for k, c in ordered]


def _weekly(rows: Sequence[_Row]) -> list[WeekCount]:
    days = (aware(r.created_at).date() for r in rows)
    weeks = Counter(day - timedelta(days=day.weekday()) for day in days)
    return [WeekCount(week=w, count=c) for w, c in sorted(weeks.items())]


def _quotes(
    session: Session, chosen: Sequence[_Row], *, direct: set[int], theme_ids: set[int]
) -> list[EvidenceQuote]:
    if not chosen:
        return []
    found = {
        fid: (text, source)
        for fid, text, source in session.execute(
            select(Feedback.id, Feedback.text, Feedback.source).where(
                Feedback.id.in_([r.feedback_id for r in chosen])
            )
        )
    }
    return [
        EvidenceQuote(
            feedback_id=r.feedback_id,
            text=found[r.feedback_id][0],
            source=found[r.feedback_id][1],
            score=r.score,
            sentiment_score=r.sentiment_score,
            created_at=r.created_at,
            customer_id=r.customer_id,
            account_id=r.account_id,
            via="direct" if r.feedback_id in direct else "theme",
            theme_id=r.theme_id if r.theme_id in theme_ids else None,
            confidence=r.confidence if r.theme_id in theme_ids else None,
        )
        for r in chosen
    ]


def _representative(rows: Sequence[_Row], theme_ids: set[int]) -> list[_Row]:
    def key(r: _Row) -> tuple[float, float, int]:
        confidence = r.confidence if r.theme_id in theme_ids and r.confidence else 0.0
        return (-confidence, -aware(r.created_at).timestamp(), r.feedback_id)

    return sorted(rows, key=key)[:N_QUOTES]


def _most_negative(rows: Sequence[_Row]) -> list[_Row]:
    negative = [r for r in rows if r.sentiment_score is not None and r.sentiment_score < 0]
    return sorted(negative, key=lambda r: (r.sentiment_score or 0.0, r.feedback_id))[:N_QUOTES]


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


def compute(
    session: Session,
    *,
    request_id: int,
    min_confidence: float | None = None,
    now: datetime | None = None,
) -> Evidence:
    """The live evidence of one request."""
    threshold = _min_confidence(min_confidence)
    now = aware(now or utcnow())
    theme_ids = set(confirmed_themes(session, request_id))
    rows = _rows(session, evidence_ids(session, request_id=request_id, min_confidence=threshold))
    direct = set(
        session.scalars(
            select(FeedbackRequestLink.feedback_id).where(
                FeedbackRequestLink.request_id == request_id
            )
        )
    )
    n = len(rows)
    arr_of = {r.account_id: r.arr for r in rows if r.account_id is not None}
    arr = float(sum(v for v in arr_of.values() if v is not None))
    n_customers = len({r.customer_id for r in rows if r.customer_id is not None})
    n_negative = sum(r.sentiment_label == "negative" for r in rows)
    scores = [r.score for r in rows if r.score is not None]
    counts = (
        sum(s >= 9 for s in scores),
        sum(7 <= s <= 8 for s in scores),
        sum(s <= 6 for s in scores),
    )
    recent = sum(aware(r.created_at) >= now - WINDOW for r in rows)
    previous = sum(now - 2 * WINDOW <= aware(r.created_at) < now - WINDOW for r in rows)
    negative_share = round(n_negative / n, 4) if n else None
    g = growth(recent, previous)
    return Evidence(
        n_items=n,
        n_direct=len(direct),
        n_customers=n_customers,
        n_accounts=len(arr_of),
        arr=arr,
        n_negative=n_negative,
        negative_share=negative_share,
        n_recent=recent,
        n_previous=previous,
        growth=g,
        nps=_nps(counts),
        min_confidence=threshold,
        segments=_mix(rows, "segment"),
        plans=_mix(rows, "plan"),
        weekly=_weekly(rows),
        quotes=_quotes(
            session, _representative(rows, theme_ids), direct=direct, theme_ids=theme_ids
        ),
        negative_quotes=_quotes(session, _most_negative(rows), direct=direct, theme_ids=theme_ids),
        opportunity=opportunity(
            arr=arr, n_customers=n_customers, growth_value=g, negative_share=negative_share
        ),
    )


def fingerprint(session: Session, *, request_id: int) -> tuple[object, ...]:
    """A key that moves whenever the evidence of a request can change.

    Its theme links (confirm, reject, carried by a merge or split), the stats of its confirmed
    themes (runs, curation, new items assigned), its direct item links, the accounts; plus a
    ten-minute bucket of the clock (the growth windows and customers' accounts move without
    touching those rows).
    """
    links = session.execute(
        select(
            func.count(),
            func.max(ThemeRequestLink.decided_at),
            func.max(ThemeRequestLink.created_at),
            func.sum(case((ThemeRequestLink.state == LinkState.CONFIRMED, 1), else_=0)),
        ).where(ThemeRequestLink.request_id == request_id)
    ).one()
    themes = session.execute(
        select(func.count(), func.max(ThemeStats.computed_at)).where(
            ThemeStats.theme_id.in_(
                select(ThemeRequestLink.theme_id).where(
                    ThemeRequestLink.request_id == request_id,
                    ThemeRequestLink.state == LinkState.CONFIRMED,
                )
            )
        )
    ).one()
    items = session.execute(
        select(func.count(), func.max(FeedbackRequestLink.linked_at)).where(
            FeedbackRequestLink.request_id == request_id
        )
    ).one()
    accounts = session.execute(select(func.count(), func.max(Account.updated_at))).one()
    bucket = int(time.time() // CACHE_BUCKET_S)
    return (session.get_bind().engine.url, *links, *themes, *items, *accounts, bucket)


def cached_compute(
    session: Session, *, request_id: int, min_confidence: float | None = None
) -> tuple[Evidence, bool]:
    """The evidence of one request, built once per fingerprint; True when it was built now.

    Live evidence reads every evidence item (80k for a request on big themes at 1M items: 1.5 s);
    the fingerprint is four small aggregates.
    """
    key = (fingerprint(session, request_id=request_id), request_id, _min_confidence(min_confidence))
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached, False
    evidence = compute(session, request_id=request_id, min_confidence=min_confidence)
    with _cache_lock:
        _cache[key] = evidence
        while len(_cache) > DETAIL_CACHE_SIZE:
            _cache.popitem(last=False)
    return evidence, True


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


def _same_totals(row: RequestStats, evidence: Evidence) -> bool:
    return (
        row.n_items == evidence.n_items
        and row.n_customers == evidence.n_customers
        and row.n_accounts == evidence.n_accounts
        and row.arr == evidence.arr
        and row.n_negative == evidence.n_negative
        and row.n_recent == evidence.n_recent
        and row.n_previous == evidence.n_previous
        and row.opportunity == evidence.opportunity.score
        and row.nps == (evidence.nps.nps if evidence.nps else None)
    )


def store_stats(
    session: Session, *, request_id: int, evidence: Evidence, only_if_changed: bool = False
) -> None:
    """Write the totals of a computed evidence into ``request_stats``.

    ``only_if_changed``: a read (the detail page) writes nothing when the stored row agrees.
    """
    if only_if_changed:
        row = session.get(RequestStats, request_id)
        if row is not None and _same_totals(row, evidence):
            return
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


def _nothing_stale(session: Session) -> bool:
    """A cheap watermark check: every request has totals newer than every theme's stats and link.

    Three small aggregates instead of the per-request query below, which the list would
    otherwise run on every read.
    """
    n_requests = session.scalar(select(func.count()).select_from(ProductRequest)) or 0
    n_stats, oldest = session.execute(
        select(func.count(), func.min(RequestStats.computed_at))
    ).one()
    if int(n_stats or 0) != int(n_requests):
        return False
    if oldest is None:
        return True
    newest_theme = session.scalar(
        select(func.max(ThemeStats.computed_at)).where(
            ThemeStats.theme_id.in_(
                select(ThemeRequestLink.theme_id).where(
                    ThemeRequestLink.state == LinkState.CONFIRMED
                )
            )
        )
    )
    newest_link = session.scalar(select(func.max(FeedbackRequestLink.linked_at)))
    return all(
        value is None or aware(value) <= aware(oldest) for value in (newest_theme, newest_link)
    )


def stale_request_ids(session: Session) -> list[int]:
    """Requests without stored totals, or whose linked themes or items changed since."""
    if _nothing_stale(session):
        return []
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
