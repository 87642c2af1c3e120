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
