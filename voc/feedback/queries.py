"""Read side of feedback: filtered lists with keyset (cursor) pagination, single items."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import Select, and_, func, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from voc.customer.models import Account, Customer
from voc.errors import InvalidInput, NotFound
from voc.feedback.models import Feedback
from voc.feedback.schemas import FeedbackFilters, FeedbackPage, FeedbackRead
from voc.theme.models import Theme, ThemeAssignment

MAX_LIMIT = 200
# Text queries: when at most this many items contain the text, the trigram index (migration
# 0005) finds them all and only those are read; when more do, reading the newest items first
# meets a page of matches sooner than collecting them all.
TEXT_PROBE_LIMIT = 1_000
MIN_INDEXED_TEXT = 3  # trigrams: shorter texts cannot use the index
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def encode_cursor(created_at: datetime, feedback_id: int) -> str:
    """Opaque cursor for the position after (created_at, id)."""
    raw = f"{_aware(created_at).isoformat()}|{feedback_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Position encoded by :func:`encode_cursor`; InvalidInput when tampered."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        return _aware(datetime.fromisoformat(stamp)), int(ident)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor: not a cursor returned by this API") from None


def _base_query(*, of_one_theme: bool = False) -> AnySelect:
    columns = (
        Feedback,
        ThemeAssignment.theme_id,
        ThemeAssignment.confidence,
        ThemeAssignment.is_manual,
        func.coalesce(Theme.human_label, Theme.machine_label).label("theme_label"),
    )
    if of_one_theme:  # driven by the theme's assignments: pages come from their index
        return (
            select(*columns)
            .select_from(ThemeAssignment)
            .join(Feedback, Feedback.id == ThemeAssignment.feedback_id)
            .join(Theme, Theme.id == ThemeAssignment.theme_id)
        )
    query: AnySelect = (
        select(*columns)
        .outerjoin(ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id)
        .outerjoin(Theme, Theme.id == ThemeAssignment.theme_id)
    )
    return query


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere (wildcards escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_matches(session: Session, query_text: str) -> list[int] | None:
    """Ids of every item containing ``query_text`` (case-insensitive) when there are few.

    None when the text is too short for the trigram index, or more than ``TEXT_PROBE_LIMIT``
    items contain it (then a scan of the newest items finds a page of matches quickly).
    """
    query_text = query_text.strip()
    if len(query_text) < MIN_INDEXED_TEXT:
        return None
    limit = TEXT_PROBE_LIMIT + 1
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":  # FTS5 trigram phrase = substring, case-insensitive
        phrase = '"' + query_text.replace('"', '""') + '"'
        probe = text("SELECT rowid FROM feedback_fts WHERE feedback_fts MATCH :phrase LIMIT :n")
        ids = [int(i) for i in session.scalars(probe, {"phrase": phrase, "n": limit})]
    elif dialect == "postgresql":  # the GIN trigram index serves ILIKE
        pattern = like_pattern(query_text)
        ids = list(
            session.scalars(
                select(Feedback.id).where(Feedback.text.ilike(pattern, escape="\\")).limit(limit)
            )
        )
    else:
        return None
    return ids if len(ids) <= TEXT_PROBE_LIMIT else None


def _filtered(
    query: AnySelect, filters: FeedbackFilters, *, text_ids: list[int] | None = None
) -> AnySelect:
    conditions: list[ColumnElement[bool]] = []
    if text_ids is not None:
        conditions.append(Feedback.id.in_(text_ids))
    if filters.source is not None:
        conditions.append(Feedback.source == filters.source)
    if filters.created_from is not None:
        conditions.append(Feedback.created_at >= _aware(filters.created_from))
    if filters.created_to is not None:
        conditions.append(Feedback.created_at < _aware(filters.created_to))
    if filters.theme_id is not None:
        conditions.append(ThemeAssignment.theme_id == filters.theme_id)
    if filters.sentiment is not None:
        conditions.append(Feedback.sentiment_label == filters.sentiment)
    if filters.kind is not None:
        conditions.append(Feedback.kind == filters.kind)
    if filters.score_min is not None:
        conditions.append(Feedback.score >= filters.score_min)
    if filters.score_max is not None:
        conditions.append(Feedback.score <= filters.score_max)
    if filters.q:
        conditions.append(Feedback.text.ilike(like_pattern(filters.q.strip()), escape="\\"))
    if filters.segment is not None:
        segment_customers = (
            select(Customer.id)
            .join(Account, Account.id == Customer.account_id)
            .where(Account.segment == filters.segment)
        )
        conditions.append(Feedback.customer_id.in_(segment_customers))
    return query.where(*conditions)


def _to_read(row: Any) -> FeedbackRead:
    item: Feedback = row[0]
    return FeedbackRead(
        id=item.id,
        source=item.source,
        external_id=item.external_id,
        text=item.text,
        score=item.score,
        created_at=item.created_at,
        campaign=item.campaign,
        customer_id=item.customer_id,
        metadata=item.meta or {},
        sentiment_label=item.sentiment_label,
        sentiment_score=item.sentiment_score,
        sentiment_is_mixed=item.sentiment_is_mixed,
        kind=item.kind,
        kind_confidence=item.kind_confidence,
        theme_id=row[1],
        theme_confidence=row[2],
        is_manual_assignment=row[3],
        theme_label=row[4],
    )


def validate_filters(filters: FeedbackFilters) -> None:
    """Refuse filters that cannot match anything because they contradict each other."""
    if (
        filters.score_min is not None
        and filters.score_max is not None
        and filters.score_min > filters.score_max
    ):
        raise InvalidInput("score_min: greater than score_max")
    if (
        filters.created_from
        and filters.created_to
        and _aware(filters.created_from) > _aware(filters.created_to)
    ):
        raise InvalidInput("created_from: later than created_to")


def list_feedback(
    session: Session, *, filters: FeedbackFilters, cursor: str | None = None, limit: int = 50
) -> FeedbackPage:
    """Items matching the filters, newest first, one page after ``cursor``."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}")
    validate_filters(filters)
    text_ids = text_matches(session, filters.q) if filters.q else None
    if text_ids == []:
        return FeedbackPage(items=[], next_cursor=None, limit=limit)
    of_one_theme = filters.theme_id is not None
    query = _filtered(_base_query(of_one_theme=of_one_theme), filters, text_ids=text_ids)
    # within one theme, the assignment's copy of created_at pages from the theme's index
    stamp, ident = (
        (ThemeAssignment.feedback_created_at, ThemeAssignment.feedback_id)
        if of_one_theme
        else (Feedback.created_at, Feedback.id)
    )
    if cursor:
        created_at, feedback_id = decode_cursor(cursor)
        query = query.where(or_(stamp < created_at, and_(stamp == created_at, ident < feedback_id)))
    query = query.order_by(stamp.desc(), ident.desc()).limit(limit + 1)
    rows = session.execute(query).all()
    items = [_to_read(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.created_at, last.id)
    return FeedbackPage(items=items, next_cursor=next_cursor, limit=limit)


def get(session: Session, feedback_id: int) -> FeedbackRead | None:
    """One item with its theme, or None."""
    row = session.execute(_base_query().where(Feedback.id == feedback_id)).first()
    return _to_read(row) if row is not None else None


def get_or_raise(session: Session, feedback_id: int) -> FeedbackRead:
    """One item with its theme, or NotFound."""
    item = get(session, feedback_id)
    if item is None:
        raise NotFound(f"feedback item {feedback_id} does not exist")
    return item


def by_ids(
    session: Session, feedback_ids: Sequence[int], *, filters: FeedbackFilters | None = None
) -> dict[int, FeedbackRead]:
    """Items by id that pass the filters (one query); the others are absent from the result."""
    if not feedback_ids:
        return {}
    query = _base_query().where(Feedback.id.in_(list(feedback_ids)))
    if filters is not None:
        validate_filters(filters)
        query = _filtered(query, filters)
    return {row[0].id: _to_read(row) for row in session.execute(query).all()}
