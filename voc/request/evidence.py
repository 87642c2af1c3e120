"""The evidence behind a request: its items, customers, accounts, ARR, NPS and opportunity.

An item counts as evidence when it is linked directly to the request, or when it sits in a
confirmed (active) theme with an assignment confidence at or above
``settings.requests.min_confidence``.

The full evidence of each request (totals, NPS counts, segment and plan mix, items per day,
the strongest quotes) is stored in ``request_evidence`` (:class:`Stored`; the totals the list
sorts by stay in the narrow ``request_stats``) whenever its totals are refreshed, so the list
and a cold detail view read one row each; what moves with the
clock (mentions per week, recent growth, opportunity) is derived from the stored days at read
time. Who writes it:

- a link change (confirm, reject, item links) refreshes that request (``voc/request/links.py``);
- every refresh of theme stats (a run, a curation step, the end of an import) refreshes the
  requests confirmed on those themes, after carrying links along the lineage
  (``voc/request/links.py::themes_changed``, called by ``voc/theme/stats.py::refresh``);
- an item assigned through the incremental path is added as a delta (:func:`add_new_items`:
  counts, mixes, days and quotes; its customer and account count once, checked with two small
  indexed queries), in the transaction that assigns it, so it counts at once.

A stored row is used when its threshold is the one asked for and nothing it depends on is newer
(the stats of its confirmed themes, its links, the accounts); otherwise the detail is computed
live (:func:`cached_compute`). Every path computes through :func:`compute_many`.
"""

from __future__ import annotations

import math
import threading
import time
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    delete,
    func,
    insert,
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
    RequestEvidence,
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

WINDOW_DAYS = 28  # recent growth: the last 28 days (by date) against the 28 before
N_QUOTES = 3
UNKNOWN = "unknown"
NAN = float("nan")
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


class Stored(BaseModel):
    """The evidence of one request as stored in ``request_evidence``."""

    min_confidence: float
    theme_ids: list[int]
    n_items: int
    n_direct: int
    n_customers: int
    n_accounts: int
    arr: float
    n_negative: int
    nps_counts: list[int]  # promoters, passives, detractors
    segments: list[tuple[str, int]]
    plans: list[tuple[str, int]]
    days: list[tuple[int, int]]  # date ordinal, items created that day
    quotes: list[EvidenceQuote]
    negative_quotes: list[EvidenceQuote]


class _Frame:
    """Evidence rows as compact columns (one row per feedback item); codes for segment, plan."""

    def __init__(self) -> None:
        self.feedback_id = array("q")
        self.theme_id = array("q")
        self.confidence = array("d")
        self.customer_id = array("q")
        self.account_id = array("q")
        self.segment = array("q")
        self.plan = array("q")
        self.arr = array("d")
        self.score = array("q")
        self.negative = array("b")
        self.sentiment = array("d")
        self.timestamp = array("d")
        self.day = array("q")
        self.names: dict[str, int] = {UNKNOWN: 0}

    def code(self, name: str | None) -> int:
        return self.names.setdefault(name or UNKNOWN, len(self.names))

    def add(self, row: Sequence[Any]) -> None:
        fid, cid, aid, segment, plan, arr, score, label, sentiment, created, tid, conf = row
        at = aware(created)
        self.feedback_id.append(int(fid))
        self.theme_id.append(-1 if tid is None else int(tid))
        self.confidence.append(NAN if conf is None else float(conf))
        self.customer_id.append(-1 if cid is None else int(cid))
        self.account_id.append(-1 if aid is None else int(aid))
        self.segment.append(self.code(segment))
        self.plan.append(self.code(plan))
        self.arr.append(NAN if arr is None else float(arr))
        self.score.append(-1 if score is None else int(score))
        self.negative.append(label == "negative")
        self.sentiment.append(NAN if sentiment is None else float(sentiment))
        self.timestamp.append(at.timestamp())
        self.day.append(at.date().toordinal())


@dataclass
class _Columns:
    """A :class:`_Frame` as numpy arrays."""

    feedback_id: npt.NDArray[np.int64]
    theme_id: npt.NDArray[np.int64]
    confidence: npt.NDArray[np.float64]
    customer_id: npt.NDArray[np.int64]
    account_id: npt.NDArray[np.int64]
    segment: npt.NDArray[np.int64]
    plan: npt.NDArray[np.int64]
    arr: npt.NDArray[np.float64]
    score: npt.NDArray[np.int64]
    negative: npt.NDArray[np.bool_]
    sentiment: npt.NDArray[np.float64]
    timestamp: npt.NDArray[np.float64]
    day: npt.NDArray[np.int64]
    names: list[str]

    @classmethod
    def of(cls, frame: _Frame) -> _Columns:
        names = [""] * len(frame.names)
        for name, code in frame.names.items():
            names[code] = name

        def ints(values: array[int]) -> npt.NDArray[np.int64]:
            return np.frombuffer(values, dtype=np.int64) if values else np.zeros(0, np.int64)

        def floats(values: array[float]) -> npt.NDArray[np.float64]:
            return np.frombuffer(values, dtype=np.float64) if values else np.zeros(0)

        return cls(
            feedback_id=ints(frame.feedback_id),
            theme_id=ints(frame.theme_id),
            confidence=floats(frame.confidence),
            customer_id=ints(frame.customer_id),
            account_id=ints(frame.account_id),
            segment=ints(frame.segment),
            plan=ints(frame.plan),
            arr=floats(frame.arr),
            score=ints(frame.score),
            negative=np.frombuffer(frame.negative, dtype=np.int8).astype(np.bool_)
            if frame.negative
            else np.zeros(0, np.bool_),
            sentiment=floats(frame.sentiment),
            timestamp=floats(frame.timestamp),
            day=ints(frame.day),
            names=names,
        )


def _item_query(where: ColumnElement[bool], *, themed: bool) -> Select[*tuple[Any, ...]]:
    """Evidence rows: the item, its customer's account, and its theme assignment."""
    query: Select[*tuple[Any, ...]] = select(
        Feedback.id, Feedback.customer_id, Customer.account_id, Account.segment, Account.plan,
        Account.arr, Feedback.score, Feedback.sentiment_label, Feedback.sentiment_score,
        Feedback.created_at, ThemeAssignment.theme_id, ThemeAssignment.confidence,
    )  # fmt: skip
    if themed:
        query = query.select_from(ThemeAssignment).join(
            Feedback, Feedback.id == ThemeAssignment.feedback_id
        )
    else:
        query = query.select_from(Feedback).outerjoin(
            ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id
        )
    return (
        query.outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(Account, Account.id == Customer.account_id)
        .where(where)
    )


def _chunked(values: Sequence[int], size: int = 5_000) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _windows(days: Sequence[tuple[int, int]], today: date) -> tuple[int, int]:
    """Items of the last 28 days (by date, today included) and of the 28 before."""
    t = today.toordinal()
    recent = sum(n for d, n in days if d > t - WINDOW_DAYS)
    previous = sum(n for d, n in days if t - 2 * WINDOW_DAYS < d <= t - WINDOW_DAYS)
    return recent, previous


def _mix(pairs: Sequence[tuple[str, int]], n: int) -> list[MixCount]:
    ordered = sorted(pairs, key=lambda kv: (-kv[1], str(kv[0])))
    return [MixCount(name=str(k), count=c, share=round(c / n, 4)) for k, c in ordered if c]


def _weekly(days: Sequence[tuple[int, int]]) -> list[WeekCount]:
    weeks: Counter[date] = Counter()
    for ordinal, n in days:
        day = date.fromordinal(ordinal)
        weeks[day - timedelta(days=day.weekday())] += n
    return [WeekCount(week=w, count=c) for w, c in sorted(weeks.items())]


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


def to_evidence(stored: Stored, *, now: datetime | None = None) -> Evidence:
    """The evidence shown for a stored row; the growth windows are read against ``now``."""
    today = aware(now or utcnow()).date()
    recent, previous = _windows(stored.days, today)
    n = stored.n_items
    negative_share = round(stored.n_negative / n, 4) if n else None
    g = growth(recent, previous)
    return Evidence(
        n_items=n,
        n_direct=stored.n_direct,
        n_customers=stored.n_customers,
        n_accounts=stored.n_accounts,
        arr=stored.arr,
        n_negative=stored.n_negative,
        negative_share=negative_share,
        n_recent=recent,
        n_previous=previous,
        growth=g,
        nps=_nps(stored.nps_counts),
        min_confidence=stored.min_confidence,
        segments=_mix(stored.segments, n),
        plans=_mix(stored.plans, n),
        weekly=_weekly(stored.days),
        quotes=stored.quotes,
        negative_quotes=stored.negative_quotes,
        opportunity=opportunity(
            arr=stored.arr, n_customers=stored.n_customers, growth_value=g,
            negative_share=negative_share,
        ),
    )  # fmt: skip


@dataclass
class _Plan:
    """What one request's evidence is made of: its confirmed themes and direct links."""

    themes: dict[int, set[int]] = field(default_factory=dict)
    direct: dict[int, set[int]] = field(default_factory=dict)


def _plan(session: Session, request_ids: Sequence[int]) -> _Plan:
    plan = _Plan(
        themes={rid: set() for rid in request_ids}, direct={rid: set() for rid in request_ids}
    )
    for chunk in _chunked(request_ids):
        links = session.execute(
            select(ThemeRequestLink.request_id, ThemeRequestLink.theme_id)
            .join(Theme, Theme.id == ThemeRequestLink.theme_id)
            .where(
                ThemeRequestLink.request_id.in_(chunk),
                ThemeRequestLink.state == LinkState.CONFIRMED,
                Theme.status == ThemeStatus.ACTIVE,
            )
        )
        for rid, tid in links:
            plan.themes[int(rid)].add(int(tid))
        direct = session.execute(
            select(FeedbackRequestLink.request_id, FeedbackRequestLink.feedback_id).where(
                FeedbackRequestLink.request_id.in_(chunk)
            )
        )
        for rid, fid in direct:
            plan.direct[int(rid)].add(int(fid))
    return plan


def _load(session: Session, plan: _Plan, threshold: float) -> tuple[_Columns, dict[int, Any]]:
    """Every evidence row of the planned requests, once; and each theme's row positions."""
    frame = _Frame()
    theme_ids = sorted({t for ts in plan.themes.values() for t in ts})
    for tid in theme_ids:  # one theme at a time: each read is one index range
        where = (ThemeAssignment.theme_id == tid) & (ThemeAssignment.confidence >= threshold)
        for row in session.execute(_item_query(where, themed=True)):
            frame.add(tuple(row))
    n_themed = len(frame.feedback_id)
    seen = set(frame.feedback_id)
    direct = sorted({f for fs in plan.direct.values() for f in fs} - seen)
    for chunk in _chunked(direct):
        for row in session.execute(_item_query(Feedback.id.in_(chunk), themed=False)):
            frame.add(tuple(row))
    columns = _Columns.of(frame)
    themed_ids = columns.theme_id[:n_themed]
    order = np.argsort(themed_ids, kind="stable")
    bounds = np.searchsorted(themed_ids[order], [*theme_ids, max(theme_ids, default=0) + 1])
    positions = {tid: order[bounds[i] : bounds[i + 1]] for i, tid in enumerate(theme_ids)}
    return columns, positions


def _one(
    columns: _Columns, idx: npt.NDArray[np.int64], *, themes: set[int], direct: set[int],
    threshold: float,
) -> tuple[Stored, list[int], list[int]]:  # fmt: skip
    """The stored evidence of one request from its row positions (quotes' texts come later)."""
    n = int(idx.size)
    customers = columns.customer_id[idx]
    accounts = columns.account_id[idx]
    known = accounts >= 0
    account_ids, first = np.unique(accounts[known], return_index=True)
    arr_values = columns.arr[idx][known][first]
    scores = columns.score[idx]
    days, day_counts = np.unique(columns.day[idx], return_counts=True)
    segments = np.bincount(columns.segment[idx], minlength=len(columns.names))
    plans = np.bincount(columns.plan[idx], minlength=len(columns.names))
    in_theme = np.isin(columns.theme_id[idx], np.fromiter(themes, dtype=np.int64))
    confidence = np.where(in_theme, np.nan_to_num(columns.confidence[idx]), 0.0)
    ids = columns.feedback_id[idx]
    representative = idx[np.lexsort((ids, -columns.timestamp[idx], -confidence))[:N_QUOTES]]
    sentiment = columns.sentiment[idx]
    negative_mask = sentiment < 0  # NaN compares False
    neg_idx = idx[negative_mask]
    negative = neg_idx[np.lexsort((ids[negative_mask], sentiment[negative_mask]))[:N_QUOTES]]
    stored = Stored(
        min_confidence=threshold,
        theme_ids=sorted(themes),
        n_items=n,
        n_direct=len(direct),
        n_customers=int(np.unique(customers[customers >= 0]).size),
        n_accounts=int(account_ids.size),
        arr=float(np.nansum(arr_values)),
        n_negative=int(columns.negative[idx].sum()),
        nps_counts=[
            int((scores >= 9).sum()),
            int(((scores >= 7) & (scores <= 8)).sum()),
            int(((scores >= 0) & (scores <= 6)).sum()),
        ],
        segments=[(columns.names[c], int(k)) for c, k in enumerate(segments) if k],
        plans=[(columns.names[c], int(k)) for c, k in enumerate(plans) if k],
        days=[(int(d), int(k)) for d, k in zip(days, day_counts, strict=True)],
        quotes=[],
        negative_quotes=[],
    )
    return stored, [int(i) for i in representative], [int(i) for i in negative]


def _quote(
    columns: _Columns, i: int, texts: dict[int, tuple[str, str, datetime]], *, themes: set[int],
    direct: set[int],
) -> EvidenceQuote:  # fmt: skip
    fid = int(columns.feedback_id[i])
    tid = int(columns.theme_id[i])
    conf = float(columns.confidence[i])
    score, sentiment = int(columns.score[i]), float(columns.sentiment[i])
    cid, aid = int(columns.customer_id[i]), int(columns.account_id[i])
    return EvidenceQuote(
        feedback_id=fid,
        text=texts[fid][0],
        source=texts[fid][1],
        score=None if score < 0 else score,
        sentiment_score=None if math.isnan(sentiment) else sentiment,
        created_at=texts[fid][2],
        customer_id=None if cid < 0 else cid,
        account_id=None if aid < 0 else aid,
        via="direct" if fid in direct else "theme",
        theme_id=tid if tid in themes else None,
        confidence=conf if tid in themes and not math.isnan(conf) else None,
    )


def _texts(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str, datetime]]:
    out: dict[int, tuple[str, str, datetime]] = {}
    for chunk in _chunked(sorted(set(ids))):
        for fid, text, source, created in session.execute(
            select(Feedback.id, Feedback.text, Feedback.source, Feedback.created_at).where(
                Feedback.id.in_(chunk)
            )
        ):
            out[int(fid)] = (text, source, created)
    return out


def compute_many(
    session: Session, *, request_ids: Sequence[int], min_confidence: float | None = None
) -> dict[int, Stored]:
    """The evidence of many requests from one read of their evidence rows.

    Each theme's rows are read once however many requests confirm it (2,000 requests on 300
    themes at 1M items: one pass over the confident assignments, then numpy per request).
    """
    threshold = _min_confidence(min_confidence)
    request_ids = sorted(set(request_ids))
    plan = _plan(session, request_ids)
    columns, positions = _load(session, plan, threshold)
    where = {int(f): i for i, f in enumerate(columns.feedback_id)}
    empty = np.zeros(0, dtype=np.int64)
    partial: dict[int, tuple[Stored, list[int], list[int]]] = {}
    for rid in request_ids:
        themes, direct = plan.themes[rid], plan.direct[rid]
        parts = [positions.get(t, empty) for t in themes]
        parts.append(np.asarray([where[f] for f in direct if f in where], dtype=np.int64))
        idx = np.unique(np.concatenate(parts)) if parts else empty
        partial[rid] = _one(columns, idx, themes=themes, direct=direct, threshold=threshold)
    texts = _texts(
        session,
        (int(columns.feedback_id[i]) for _, rep, neg in partial.values() for i in rep + neg),
    )
    out: dict[int, Stored] = {}
    for rid, (stored, rep, neg) in partial.items():
        themes, direct = plan.themes[rid], plan.direct[rid]
        stored.quotes = [_quote(columns, i, texts, themes=themes, direct=direct) for i in rep]
        stored.negative_quotes = [
            _quote(columns, i, texts, themes=themes, direct=direct) for i in neg
        ]
        out[rid] = stored
    return out


def compute(
    session: Session,
    *,
    request_id: int,
    min_confidence: float | None = None,
    now: datetime | None = None,
) -> Evidence:
    """The live evidence of one request."""
    stored = compute_many(session, request_ids=[request_id], min_confidence=min_confidence)
    return to_evidence(stored[request_id], now=now)


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


def _stats_row(request_id: int, stored: Stored, now: datetime) -> dict[str, Any]:
    evidence = to_evidence(stored, now=now)
    return {
        "request_id": request_id,
        "n_items": stored.n_items,
        "n_customers": stored.n_customers,
        "n_accounts": stored.n_accounts,
        "arr": stored.arr,
        "n_promoters": stored.nps_counts[0],
        "n_passives": stored.nps_counts[1],
        "n_detractors": stored.nps_counts[2],
        "n_negative": stored.n_negative,
        "n_recent": evidence.n_recent,
        "n_previous": evidence.n_previous,
        "nps": evidence.nps.nps if evidence.nps else None,
        "opportunity": evidence.opportunity.score,
        "computed_at": now,
    }


def store_many(session: Session, stored: dict[int, Stored]) -> None:
    """Write stored evidence rows (totals the list sorts by, and the full evidence)."""
    if not stored:
        return
    now = utcnow()
    ids = sorted(stored)
    for chunk in _chunked(ids):
        session.execute(delete(RequestStats).where(RequestStats.request_id.in_(chunk)))
        session.execute(delete(RequestEvidence).where(RequestEvidence.request_id.in_(chunk)))
    rows = [_stats_row(rid, stored[rid], now) for rid in ids]
    blobs = [{"request_id": rid, "evidence": stored[rid].model_dump(mode="json")} for rid in ids]
    for start in range(0, len(rows), 500):
        session.execute(insert(RequestStats), rows[start : start + 500])
        session.execute(insert(RequestEvidence), blobs[start : start + 500])
    session.flush()
    for row in list(session.identity_map.values()):  # loaded rows of these are stale now
        if isinstance(row, RequestStats | RequestEvidence) and row.request_id in stored:
            session.expire(row)


def refresh_stats(session: Session, *, request_ids: Sequence[int]) -> int:
    """Recompute the stored evidence of these requests (one read for all); returns how many."""
    ids = sorted(set(request_ids))
    for start in range(0, len(ids), 500):  # bounded memory: 500 requests' rows at a time
        store_many(session, compute_many(session, request_ids=ids[start : start + 500]))
    return len(ids)


def refresh_for_themes(session: Session, *, theme_ids: Iterable[int] | None = None) -> int:
    """Refresh the requests that confirm any of these themes (every request when None)."""
    if theme_ids is None:
        ids = list(session.scalars(select(ProductRequest.id)))
    else:
        themes = sorted(set(theme_ids))
        if not themes:
            return 0
        ids = list(
            session.scalars(
                select(ThemeRequestLink.request_id)
                .where(
                    ThemeRequestLink.theme_id.in_(themes),
                    ThemeRequestLink.state == LinkState.CONFIRMED,
                )
                .distinct()
            )
        )
    return refresh_stats(session, request_ids=ids) if ids else 0


def stored_evidence(
    session: Session, *, request_id: int, min_confidence: float | None = None
) -> Evidence | None:
    """The stored evidence of a request when it is current; one query.

    Current: stored at this threshold, and nothing it depends on is newer than the row: a
    confirmed link of the request, the stats of its confirmed themes, its item links, an account
    (ARR, segment, plan). Suggestions do not count; a rejection rewrites the row itself.
    """
    threshold = _min_confidence(min_confidence)

    def newest(column: Any, *where: ColumnElement[bool]) -> Any:
        return select(func.max(column)).where(*where).scalar_subquery()

    confirmed = (
        ThemeRequestLink.request_id == request_id,
        ThemeRequestLink.state == LinkState.CONFIRMED,
    )
    found = session.execute(
        select(
            RequestStats.computed_at,
            RequestEvidence.evidence,
            newest(ThemeRequestLink.decided_at, *confirmed),
            newest(ThemeRequestLink.created_at, *confirmed),
            newest(
                ThemeStats.computed_at,
                ThemeStats.theme_id.in_(select(ThemeRequestLink.theme_id).where(*confirmed)),
            ),
            newest(FeedbackRequestLink.linked_at, FeedbackRequestLink.request_id == request_id),
            newest(Account.updated_at),
        )
        .join(RequestEvidence, RequestEvidence.request_id == RequestStats.request_id)
        .where(RequestStats.request_id == request_id)
    ).first()
    if found is None:
        return None
    computed_at, blob, *changes = found
    stored = Stored.model_validate(blob)
    at = aware(computed_at)
    if stored.min_confidence != threshold or any(v is not None and aware(v) > at for v in changes):
        return None
    return to_evidence(stored)


def detail_evidence(
    session: Session, *, request_id: int, min_confidence: float | None = None
) -> Evidence:
    """What the detail shows: the stored evidence when current, else live (cached)."""
    stored = stored_evidence(session, request_id=request_id, min_confidence=min_confidence)
    if stored is not None:
        return stored
    evidence, _ = cached_compute(session, request_id=request_id, min_confidence=min_confidence)
    return evidence


def _seen(
    session: Session, *, request_id: int, stored: Stored, exclude: Sequence[int],
    values: Sequence[int], accounts: bool,
) -> set[int]:  # fmt: skip
    """The customers (or accounts) among ``values`` already behind the request's evidence."""
    if not values:
        return set()
    column = Customer.account_id if accounts else Feedback.customer_id
    themed = (
        select(column)
        .select_from(Feedback)
        .join(ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id)
        .where(
            column.in_(list(values)),
            ThemeAssignment.theme_id.in_(stored.theme_ids),
            ThemeAssignment.confidence >= stored.min_confidence,
            Feedback.id.not_in(list(exclude)),
        )
    )
    direct = (
        select(column)
        .select_from(FeedbackRequestLink)
        .join(Feedback, Feedback.id == FeedbackRequestLink.feedback_id)
        .where(
            FeedbackRequestLink.request_id == request_id,
            column.in_(list(values)),
            Feedback.id.not_in(list(exclude)),
        )
    )
    if accounts:
        themed = themed.join(Customer, Customer.id == Feedback.customer_id)
        direct = direct.join(Customer, Customer.id == Feedback.customer_id)
    return {int(v) for v in session.scalars(union(themed, direct)) if v is not None}


def _add_counts(pairs: Sequence[tuple[Any, int]], extra: Counter[Any]) -> list[tuple[Any, int]]:
    merged = Counter(dict(pairs))
    merged.update(extra)
    return sorted(merged.items())


def _representative_key(q: EvidenceQuote) -> tuple[float, float, int]:
    return (-(q.confidence or 0.0), -aware(q.created_at).timestamp(), q.feedback_id)


def _add_to(
    session: Session, *, request_id: int, stored: Stored, columns: _Columns,
    idx: npt.NDArray[np.int64],
) -> Stored:  # fmt: skip
    """The stored evidence with these new rows added (none of them counted before)."""
    new_ids = [int(f) for f in columns.feedback_id[idx]]
    customers = sorted({int(c) for c in columns.customer_id[idx] if c >= 0})
    accounts = sorted({int(a) for a in columns.account_id[idx] if a >= 0})
    old_customers = _seen(session, request_id=request_id, stored=stored, exclude=new_ids,
                          values=customers, accounts=False)  # fmt: skip
    old_accounts = _seen(session, request_id=request_id, stored=stored, exclude=new_ids,
                         values=accounts, accounts=True)  # fmt: skip
    arr_of = {int(a): float(v) for a, v in zip(columns.account_id[idx], columns.arr[idx],
                                                strict=True) if a >= 0}  # fmt: skip
    added, rep, neg = _one(columns, idx, themes=set(stored.theme_ids), direct=set(),
                           threshold=stored.min_confidence)  # fmt: skip
    themes = set(stored.theme_ids)
    texts = _texts(session, (int(columns.feedback_id[i]) for i in rep + neg))
    quotes = [_quote(columns, i, texts, themes=themes, direct=set()) for i in rep]
    negative = [_quote(columns, i, texts, themes=themes, direct=set()) for i in neg]
    new_accounts = [a for a in accounts if a not in old_accounts]
    return Stored(
        min_confidence=stored.min_confidence,
        theme_ids=stored.theme_ids,
        n_items=stored.n_items + added.n_items,
        n_direct=stored.n_direct,
        n_customers=stored.n_customers + len(set(customers) - old_customers),
        n_accounts=stored.n_accounts + len(new_accounts),
        arr=stored.arr + sum(v for a in new_accounts if not math.isnan(v := arr_of[a])),
        n_negative=stored.n_negative + added.n_negative,
        nps_counts=[a + b for a, b in zip(stored.nps_counts, added.nps_counts, strict=True)],
        segments=_add_counts(stored.segments, Counter(dict(added.segments))),
        plans=_add_counts(stored.plans, Counter(dict(added.plans))),
        days=_add_counts(stored.days, Counter(dict(added.days))),
        quotes=sorted([*stored.quotes, *quotes], key=_representative_key)[:N_QUOTES],
        negative_quotes=sorted(
            [*stored.negative_quotes, *negative],
            key=lambda q: (q.sentiment_score or 0.0, q.feedback_id),
        )[:N_QUOTES],
    )


def _requests_on(session: Session, theme_ids: Sequence[int]) -> list[int]:
    """Requests confirming any of these active themes."""
    linked = session.scalars(
        select(ThemeRequestLink.request_id)
        .join(Theme, Theme.id == ThemeRequestLink.theme_id)
        .where(
            ThemeRequestLink.theme_id.in_(list(theme_ids)),
            ThemeRequestLink.state == LinkState.CONFIRMED,
            Theme.status == ThemeStatus.ACTIVE,
        )
        .distinct()
    )
    return sorted(int(r) for r in linked)


def add_new_items(session: Session, *, feedback_ids: Sequence[int]) -> int:
    """Add items newly assigned to confirmed themes to the stored evidence; returns requests.

    The incremental path's delta: a new item's counts, segment, plan, day and quote candidacy
    are added to each request that confirms its theme; its customer and account count once
    (two indexed queries over that customer's and account's items). Items assigned before a
    request's row was written are already in it, so a second call counts nothing twice. A
    request without a stored row (or stored at another threshold) is refreshed in full.
    """
    if not feedback_ids:
        return 0
    assigned = session.execute(
        select(ThemeAssignment.feedback_id, ThemeAssignment.assigned_at).where(
            ThemeAssignment.feedback_id.in_(list(feedback_ids))
        )
    ).all()
    at_of = {int(f): aware(at) for f, at in assigned}
    frame = _Frame()
    for chunk in _chunked(sorted(at_of)):
        for item in session.execute(_item_query(Feedback.id.in_(chunk), themed=False)):
            frame.add(tuple(item))
    columns = _Columns.of(frame)
    request_ids = _requests_on(session, sorted({int(t) for t in columns.theme_id}))
    if not request_ids:
        return 0
    locked = select(RequestStats).where(RequestStats.request_id.in_(request_ids))
    if session.get_bind().dialect.name == "postgresql":
        locked = locked.with_for_update()
    stats = {row.request_id: row for row in session.scalars(locked)}
    blobs = {
        b.request_id: b
        for b in session.scalars(
            select(RequestEvidence).where(RequestEvidence.request_id.in_(request_ids))
        )
    }
    direct = {
        (int(r), int(f))
        for r, f in session.execute(
            select(FeedbackRequestLink.request_id, FeedbackRequestLink.feedback_id).where(
                FeedbackRequestLink.feedback_id.in_(list(at_of))
            )
        )
    }
    threshold = _min_confidence(None)
    full = [r for r in request_ids if r not in stats or r not in blobs]
    now = utcnow()
    for rid, row in sorted(stats.items()):
        blob = blobs.get(rid)
        stored = None if blob is None else Stored.model_validate(blob.evidence)
        if stored is None or stored.min_confidence != threshold:
            full.append(rid)
            continue
        since, themes = aware(row.computed_at), set(stored.theme_ids)
        fresh = [
            i
            for i, f in enumerate(columns.feedback_id)
            if int(columns.theme_id[i]) in themes
            and columns.confidence[i] >= threshold
            and at_of[int(f)] > since
            and (rid, int(f)) not in direct
        ]
        if fresh:
            stored = _add_to(session, request_id=rid, stored=stored, columns=columns,
                             idx=np.asarray(fresh, dtype=np.int64))  # fmt: skip
            for name, value in _stats_row(rid, stored, now).items():
                setattr(row, name, value)
            blobs[rid].evidence = stored.model_dump(mode="json")
        else:
            row.computed_at = now  # seen: newer than the theme stats this delta goes with
    session.flush()
    if full:
        refresh_stats(session, request_ids=sorted(set(full)))
    return len(request_ids)


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
