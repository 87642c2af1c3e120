"""Close the loop: campaigns, the email outbox, and suppressed addresses.

The tables are created by ``voc/migrations/versions/0008_close_the_loop.py``; ``voc`` cannot
import this package (layers), so whoever compares or creates the schema imports
``loop_closure.models`` beside ``voc.models``.

The outbox's unique key ``(customer_id, request_id, kind)`` is what guarantees one email per
customer and request: approvals insert with ``ON CONFLICT DO NOTHING`` and the database decides.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voc.db import Base
from voc.types import JsonType, UtcDateTime, utcnow


class CampaignStatus(StrEnum):
    """A campaign is drafted when its request ships and approved once."""

    DRAFT = "draft"
    APPROVED = "approved"


class OutboxStatus(StrEnum):
    """Delivery state of one email."""

    QUEUED = "queued"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class SuppressionReason(StrEnum):
    """Why an address gets no more email."""

    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"


KIND_CLOSE_THE_LOOP = "close_the_loop"


class LoopCampaign(Base):
    """The email to the customers behind one shipped request (draft, then approved)."""

    __tablename__ = "loop_campaigns"
    __table_args__ = (Index("ix_loop_campaigns_request_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("product_requests.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT)
    release_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # What the approval decided, kept as it was: [{"email", "customer_id", "reason"}, ...]
    excluded: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)


class OutboxMessage(Base):
    """One email to send: rendered at approval, sent by the relay, never twice per key."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("customer_id", "request_id", "kind", name="uq_outbox_customer_request"),
        # two customer rows may share an address in another case: one email per address too
        UniqueConstraint("to_address", "request_id", "kind", name="uq_outbox_address_request"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_campaign_id", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(ForeignKey("product_requests.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32), default=KIND_CLOSE_THE_LOOP)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("loop_campaigns.id", ondelete="SET NULL")
    )
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)  # the whole RFC 5322 message, as sent
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class EmailSuppression(Base):
    """An address that gets nothing more: unsubscribed, bounced hard, or complained."""

    __tablename__ = "email_suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)  # lowercased
    reason: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))  # link, one_click, smtp, event
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
