"""``POST /api/v1/email-events``: bounces and complaints from the mail provider (HMAC-signed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from api.deps import SessionDep, SettingsDep
from loop_closure import events as events_service
from loop_closure.schemas import EmailEvents, EmailEventsResult

router = APIRouter(tags=["close the loop"])


async def raw_body(request: Request) -> bytes:
    """The body exactly as signed (the signature covers these bytes)."""
    return await request.body()


@router.post(
    "/email-events",
    response_model=EmailEventsResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": EmailEvents.model_json_schema()}},
        }
    },
)
def email_events(
    session: SessionDep,
    settings: SettingsDep,
    body: Annotated[bytes, Depends(raw_body)],
    x_voc_signature: Annotated[str | None, Header(max_length=200)] = None,
    x_voc_timestamp: Annotated[str | None, Header(max_length=20)] = None,
) -> EmailEventsResult:
    """Hard bounces and complaints suppress the address for every later email.

    Sign with ``X-Voc-Timestamp: <unix seconds>`` and ``X-Voc-Signature: sha256=<hex>``, the
    HMAC-SHA256 of ``<timestamp>.<body>`` under ``VOC_EMAIL__EVENTS_SECRET``; unsigned, forged
    or stale events get 403.
    """
    return events_service.record_events(
        session, settings=settings, body=body, signature=x_voc_signature,
        timestamp=x_voc_timestamp,
    )  # fmt: skip
