"""Queries of product requests and their links (no use-case logic)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voc.request.models import (
    FeedbackRequestLink,
    LinkState,
    ProductRequest,
    RequestStatusChange,
    ThemeRequestLink,
)


def by_key(session: Session, key: str) -> ProductRequest | None:
    """The request with this external key, or None."""
    return session.scalars(select(ProductRequest).where(ProductRequest.external_key == key)).first()


def by_keys(session: Session, keys: Sequence[str]) -> dict[str, ProductRequest]:
    """Requests by external key (those that exist)."""
    found: dict[str, ProductRequest] = {}
    for start in range(0, len(keys), 5_000):
        chunk = list(keys[start : start + 5_000])
        for row in session.scalars(
            select(ProductRequest).where(ProductRequest.external_key.in_(chunk))
        ):
            if row.external_key is not None:
                found[row.external_key] = row
    return found


def history(session: Session, request_id: int) -> list[RequestStatusChange]:
    """Status changes of a request, oldest first."""
    return list(
        session.scalars(
            select(RequestStatusChange)
            .where(RequestStatusChange.request_id == request_id)
            .order_by(RequestStatusChange.id)
        )
    )


def theme_links(session: Session, request_id: int) -> list[ThemeRequestLink]:
    """Every theme link of a request (any state)."""
    return list(
        session.scalars(
            select(ThemeRequestLink)
            .where(ThemeRequestLink.request_id == request_id)
            .order_by(ThemeRequestLink.id)
        )
    )


def theme_link(session: Session, theme_id: int, request_id: int) -> ThemeRequestLink | None:
    """The link row of one theme-request pair, or None."""
    return session.scalars(
        select(ThemeRequestLink).where(
            ThemeRequestLink.theme_id == theme_id, ThemeRequestLink.request_id == request_id
        )
    ).first()


def confirmed_theme_ids(session: Session, request_id: int) -> list[int]:
    """Themes confirmed for a request."""
    return list(
        session.scalars(
            select(ThemeRequestLink.theme_id).where(
                ThemeRequestLink.request_id == request_id,
                ThemeRequestLink.state == LinkState.CONFIRMED,
            )
        )
    )


def confirmed_counts(session: Session, request_ids: Sequence[int]) -> dict[int, int]:
    """Number of confirmed themes per request."""
    if not request_ids:
        return {}
    rows = session.execute(
        select(ThemeRequestLink.request_id, func.count())
        .where(
            ThemeRequestLink.request_id.in_(list(request_ids)),
            ThemeRequestLink.state == LinkState.CONFIRMED,
        )
        .group_by(ThemeRequestLink.request_id)
    )
    return {int(r): int(n) for r, n in rows}


def linked_item_ids(session: Session, request_id: int) -> set[int]:
    """Items linked directly to a request."""
    return set(
        session.scalars(
            select(FeedbackRequestLink.feedback_id).where(
                FeedbackRequestLink.request_id == request_id
            )
        )
    )
