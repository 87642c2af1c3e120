"""Writing and reading outbox rows: one per (customer, request, kind), the database decides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from loop_closure import message as email_message
from loop_closure import repository, tokens
from loop_closure.models import KIND_CLOSE_THE_LOOP, OutboxMessage, OutboxStatus
from loop_closure.schemas import OutboxRead
from voc.config import Settings


@dataclass(frozen=True)
class Recipient:
    """Who gets one close-the-loop email, and the words that put them there."""

    customer_id: int
    email: str
    name: str | None
    feedback_id: int | None
    quote_text: str
    quote_at: datetime
    source: str


def render_for(
    settings: Settings,
    *,
    recipient: Recipient,
    request_title: str,
    release_note: str,
    message_id: str | None = None,
    now: datetime,
) -> email_message.RenderedEmail:
    """The exact email ``recipient`` gets (the preview shows this; approval stores it)."""
    sender = email_message.Sender.parse(settings.email.sender)
    loop_email = email_message.LoopEmail(
        to_address=recipient.email,
        customer_name=recipient.name,
        request_title=request_title,
        release_note=release_note,
        quote_text=recipient.quote_text,
        quote_at=recipient.quote_at,
        unsubscribe_url=tokens.unsubscribe_url(settings, address=recipient.email),
    )
    return email_message.render(
        loop_email,
        sender=sender,
        message_id=message_id or email_message.new_message_id(sender),
        now=now,
    )


def enqueue(
    session: Session,
    *,
    settings: Settings,
    recipients: Sequence[Recipient],
    request_id: int,
    request_title: str,
    release_note: str,
    campaign_id: int | None,
    now: datetime,
) -> int:
    """Write one queued row per recipient; rows whose key exists already are skipped.

    ``INSERT ... ON CONFLICT DO NOTHING`` on the unique key (customer, request, kind): two
    approvals at once, or a second approval after a re-ship, cannot queue a second email.
    Returns how many rows went in.
    """
    table: Table = OutboxMessage.__table__  # type: ignore[assignment]
    rows: list[dict[str, Any]] = []
    for recipient in recipients:
        rendered = render_for(
            settings, recipient=recipient, request_title=request_title,
            release_note=release_note, now=now,
        )  # fmt: skip
        rows.append(
            {
                "customer_id": recipient.customer_id,
                "request_id": request_id,
                "kind": KIND_CLOSE_THE_LOOP,
                "campaign_id": campaign_id,
                "feedback_id": recipient.feedback_id,
                "to_address": recipient.email.lower(),
                "message_id": rendered.message_id,
                "subject": rendered.subject,
                "payload": rendered.payload,
                "status": OutboxStatus.QUEUED.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    return repository.insert_ignoring_duplicates(session, table, rows)


def told_customer_ids(
    session: Session, *, request_id: int, customer_ids: Sequence[int]
) -> set[int]:
    """Customers who already have an email about ``request_id`` (any status)."""
    found: set[int] = set()
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        query = select(OutboxMessage.customer_id).where(
            OutboxMessage.request_id == request_id,
            OutboxMessage.kind == KIND_CLOSE_THE_LOOP,
            OutboxMessage.customer_id.in_(ids[start : start + 500]),
        )
        found.update(session.scalars(query))
    return found


def recently_mailed(session: Session, *, customer_ids: Sequence[int], since: datetime) -> set[int]:
    """Customers with a close-the-loop email queued or sent since ``since`` (frequency cap)."""
    found: set[int] = set()
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        query = select(OutboxMessage.customer_id).where(
            OutboxMessage.kind == KIND_CLOSE_THE_LOOP,
            OutboxMessage.created_at >= since,
            OutboxMessage.status != OutboxStatus.SUPPRESSED.value,
            OutboxMessage.customer_id.in_(ids[start : start + 500]),
        )
        found.update(session.scalars(query))
    return found


def for_campaign(session: Session, *, campaign_id: int) -> list[OutboxRead]:
    """Every email of a campaign with its delivery state."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.campaign_id == campaign_id)
        .order_by(OutboxMessage.to_address)
    )
    return [OutboxRead.model_validate(row) for row in session.scalars(query)]


def for_customers(session: Session, *, customer_ids: Sequence[int]) -> list[OutboxRead]:
    """What these customers were told (the account page), newest first."""
    if not customer_ids:
        return []
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.customer_id.in_(sorted(set(customer_ids))))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    return [OutboxRead.model_validate(row) for row in session.scalars(query)]


def status_counts(session: Session, *, campaign_id: int) -> dict[str, int]:
    """Emails per delivery status of a campaign (every status present, zeros included)."""
    query = (
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.campaign_id == campaign_id)
        .group_by(OutboxMessage.status)
    )
    counts: Counter[str] = Counter({status.value: 0 for status in OutboxStatus})
    counts.update({str(status): int(n) for status, n in session.execute(query)})
    return dict(counts)
