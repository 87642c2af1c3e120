"""Unsubscribes (signed links, one-click) and bounce/complaint events (HMAC-signed webhooks)."""

from __future__ import annotations

import json

from pydantic import ValidationError
from sqlalchemy.orm import Session

from loop_closure import suppression as suppression_service
from loop_closure import tokens
from loop_closure.models import SuppressionReason
from loop_closure.schemas import EmailEvents, EmailEventsResult, SuppressionRead
from voc.config import Settings
from voc.errors import InvalidInput


def address_of_link(settings: Settings, *, token: str) -> str:
    """The address an unsubscribe link names (``InvalidInput`` for a forged one); no change."""
    return tokens.address_of_token(settings, token)


def unsubscribe(
    session: Session, *, settings: Settings, token: str, one_click: bool = False
) -> SuppressionRead:
    """Unsubscribe the link's address from every later email (idempotent, no login)."""
    address = tokens.address_of_token(settings, token)
    return suppression_service.suppress(
        session,
        address=address,
        reason=SuppressionReason.UNSUBSCRIBE,
        source="one_click" if one_click else "link",
    )


def record_events(
    session: Session,
    *,
    settings: Settings,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
) -> EmailEventsResult:
    """Check the HMAC, then suppress hard bounces and complaints (soft bounces are ignored)."""
    tokens.verify_event(settings, signature=signature, timestamp=timestamp, body=body)
    try:
        events = EmailEvents.model_validate(json.loads(body))
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidInput(f"{where}: {first['msg']}") from None
        raise InvalidInput(f"body: not JSON ({exc})") from None
    suppressed = ignored = 0
    for event in events.events:
        if event.type == "bounce" and event.bounce_type == "soft":
            ignored += 1
            continue
        reason = (
            SuppressionReason.COMPLAINT if event.type == "complaint" else SuppressionReason.BOUNCE
        )
        suppression_service.suppress(
            session, address=event.email, reason=reason, source="event", detail=event.detail
        )
        suppressed += 1
    return EmailEventsResult(received=len(events.events), suppressed=suppressed, ignored=ignored)
