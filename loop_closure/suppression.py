"""Suppressed addresses: unsubscribed, bounced hard or complained; they get nothing more."""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from loop_closure import repository
from loop_closure.models import EmailSuppression, SuppressionReason
from loop_closure.schemas import SuppressionRead
from voc.errors import InvalidInput
from voc.types import utcnow


def suppress(
    session: Session,
    *,
    address: str,
    reason: SuppressionReason,
    source: str,
    detail: str | None = None,
) -> SuppressionRead:
    """Suppress ``address`` (idempotent: the first reason recorded stays)."""
    normalised = address.strip().lower()
    if "@" not in normalised or len(normalised) > 320:
        raise InvalidInput(f"email: not an email address: {address!r}")
    table: Table = EmailSuppression.__table__  # type: ignore[assignment]
    row = {
        "address": normalised,
        "reason": reason.value,
        "source": source,
        "detail": (detail or "")[:2000] or None,
        "created_at": utcnow(),
    }
    created = repository.insert_ignoring_duplicates(session, table, [row]) == 1
    stored = session.scalars(
        select(EmailSuppression).where(EmailSuppression.address == normalised)
    ).one()
    return SuppressionRead(
        address=stored.address, reason=stored.reason, source=stored.source, created=created
    )


def reason_of(session: Session, *, address: str) -> str | None:
    """The suppression reason of ``address``, or None when it may be mailed."""
    return repository.suppressed(session, [address]).get(address.lower())
