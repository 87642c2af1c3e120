"""Read schemas of close the loop: suppressions, outbox rows, relay passes, email events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SuppressionRead(BaseModel):
    """A suppressed address; ``created`` is False when it was already suppressed."""

    address: str
    reason: str
    source: str
    created: bool


class OutboxRead(BaseModel):
    """One email's delivery state (the body is not part of it)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    request_id: int
    campaign_id: int | None
    to_address: str
    message_id: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    created_at: datetime


@dataclass
class RelayReport:
    """What one relay pass did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    lost_claims: int = 0  # rows another relay took over (the lease ran out): not marked here
    errors: list[str] = field(default_factory=list)


class EmailEvent(BaseModel):
    """A bounce or complaint from the mail provider."""

    type: Literal["bounce", "complaint"]
    email: str = Field(min_length=3, max_length=320)
    bounce_type: Literal["hard", "soft"] = "hard"
    detail: str | None = Field(default=None, max_length=2000)


class EmailEvents(BaseModel):
    """The body of ``POST /api/v1/email-events`` (HMAC-signed)."""

    events: list[EmailEvent] = Field(min_length=1, max_length=1000)


class EmailEventsResult(BaseModel):
    """How many events suppressed an address (soft bounces do not)."""

    received: int
    suppressed: int
    ignored: int


class QuoteRead(BaseModel):
    """The customer's words that put them on the list."""

    feedback_id: int
    text: str
    date: datetime
    source: str
    via: str  # "direct" (linked to the request) or "theme" (in a confirmed theme)


class RecipientRead(BaseModel):
    """One customer who will be told, their quote and the exact email."""

    customer_id: int
    email: str
    name: str | None
    n_items: int  # how many of their comments argue for the request (one email still)
    quote: QuoteRead
    subject: str
    text: str
    html: str


class ExcludedRead(BaseModel):
    """One customer who will not be told, and why."""

    customer_id: int
    email: str | None
    name: str | None
    # no_email, no_consent, unsubscribed, suppressed, already_told, frequency_cap,
    # feedback_too_old
    reason: str
    detail: str


class CampaignRead(BaseModel):
    """A close-the-loop campaign of one request."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    request_id: int
    status: str
    release_note: str
    created_at: datetime
    approved_by_id: int | None
    approved_at: datetime | None


class PreviewRead(BaseModel):
    """The dry run: who is told (with the exact email), who is not and why, the counts."""

    request_id: int
    request_key: str | None
    request_title: str
    request_status: str
    shipped_at: datetime | None
    campaign: CampaignRead
    counts: dict[str, int]
    recipients: list[RecipientRead]
    excluded: list[ExcludedRead]


class ApprovalRead(BaseModel):
    """What an approval queued; ``skipped`` rows existed already (the unique key decided)."""

    campaign: CampaignRead
    queued: int
    skipped: int
    excluded: int


class DeliveryRead(BaseModel):
    """Delivery state of every email of the request's latest campaign, with counts."""

    request_id: int
    request_title: str
    campaign: CampaignRead
    counts: dict[str, int]
    messages: list[OutboxRead]


class WaitingRead(BaseModel):
    """A shipped request and its campaign, with how many customers would be told."""

    request_id: int
    request_key: str | None
    request_title: str
    shipped_at: datetime | None
    campaign: CampaignRead
    n_recipients: int
    n_excluded: int
    delivery: dict[str, int]


class ToldRead(BaseModel):
    """What one customer was told (the account page)."""

    customer_id: int
    email: str
    request_id: int
    request_title: str
    subject: str
    status: str
    queued_at: datetime
    sent_at: datetime | None
