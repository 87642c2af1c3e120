"""The incremental path's delta: new items added to the stored evidence without a re-read.

A single create must not recompute a request over 80k items: the new items' counts, mixes, days
and quote candidacy are added to the stored row, their customer and account counted once.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from voc.customer.models import Customer
from voc.feedback.models import Feedback
from voc.request.evidence.compute import quote_of, summarise, texts_of
from voc.request.evidence.frame import Columns, Frame, chunked, item_query
from voc.request.evidence.shape import N_QUOTES, Stored, aware, min_confidence_of
from voc.request.evidence.store import refresh_stats, stats_row
from voc.request.models import (
    FeedbackRequestLink,
    LinkState,
    RequestEvidence,
    RequestStats,
    ThemeRequestLink,
)
from voc.request.schemas import EvidenceQuote
from voc.theme.models import Theme, ThemeAssignment, ThemeStatus
from voc.types import utcnow


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
    session: Session, *, request_id: int, stored: Stored, columns: Columns,
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
    added, rep, neg = summarise(columns, idx, themes=set(stored.theme_ids), direct=set(),
                           threshold=stored.min_confidence)  # fmt: skip
    themes = set(stored.theme_ids)
    texts = texts_of(session, (int(columns.feedback_id[i]) for i in rep + neg))
    quotes = [quote_of(columns, i, texts, themes=themes, direct=set()) for i in rep]
    negative = [quote_of(columns, i, texts, themes=themes, direct=set()) for i in neg]
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
    frame = Frame()
    for chunk in chunked(sorted(at_of)):
        for item in session.execute(item_query(Feedback.id.in_(chunk), themed=False)):
            frame.add(tuple(item))
    columns = Columns.of(frame)
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
    threshold = min_confidence_of(None)
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
            for name, value in stats_row(rid, stored, now).items():
                setattr(row, name, value)
            blobs[rid].evidence = stored.model_dump(mode="json")
        else:
            # seen, not counted (below the threshold, or linked directly): the theme-stats
            # step dates its row by these assignments, which must not make this row stale
            row.computed_at = now
    session.flush()
    if full:
        refresh_stats(session, request_ids=sorted(set(full)))
    return len(request_ids)
