"""Stored evidence: write the rows, refresh them, and read one back when it is current."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session

from voc.customer.models import Account
from voc.request.evidence.cache import cached_compute
from voc.request.evidence.compute import compute_many
from voc.request.evidence.frame import chunked
from voc.request.evidence.shape import Stored, aware, min_confidence_of, to_evidence
from voc.request.models import (
    FeedbackRequestLink,
    LinkState,
    ProductRequest,
    RequestEvidence,
    RequestStats,
    ThemeRequestLink,
)
from voc.request.schemas import Evidence
from voc.theme.models import ThemeStats
from voc.types import utcnow


def stats_row(request_id: int, stored: Stored, now: datetime) -> dict[str, Any]:
    """The ``request_stats`` row of a stored evidence (the totals the list sorts by)."""
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
    for chunk in chunked(ids):
        session.execute(delete(RequestStats).where(RequestStats.request_id.in_(chunk)))
        session.execute(delete(RequestEvidence).where(RequestEvidence.request_id.in_(chunk)))
    rows = [stats_row(rid, stored[rid], now) for rid in ids]
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
    threshold = min_confidence_of(min_confidence)

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
