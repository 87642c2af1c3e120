"""``POST /api/v1/email-events``: bounces and complaints from the mail provider (HMAC-signed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api.deps import SessionDep, SettingsDep
from loop_closure import events as events_service
from loop_closure import tokens
from loop_closure.schemas import EmailEvents, EmailEventsResult

router = APIRouter(tags=["close the loop"])


def _inlined(schema: Any, defs: dict[str, Any] | None = None) -> Any:
    """The JSON schema with its ``$defs`` references written out (OpenAPI has no ``$defs``)."""
    if defs is None and isinstance(schema, dict):
        defs = schema.get("$defs", {})
        schema = {k: v for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and defs is not None:
            return _inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inlined(v, defs) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_inlined(v, defs) for v in schema]
    return schema


@dataclass(frozen=True)
class SignedBody:
    """The body exactly as signed, and the two signature headers (read here, not declared)."""

    body: bytes
    signature: str | None
    timestamp: str | None


async def signed_body(request: Request) -> SignedBody:
    """Read the raw body and the ``X-Voc-Signature`` / ``X-Voc-Timestamp`` headers."""
    return SignedBody(
        body=await request.body(),
        signature=request.headers.get(tokens.SIGNATURE_HEADER),
        timestamp=request.headers.get(tokens.TIMESTAMP_HEADER),
    )


@router.post(
    "/email-events",
    response_model=EmailEventsResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inlined(EmailEvents.model_json_schema())}},
        }
    },
)
def email_events(
    session: SessionDep,
    settings: SettingsDep,
    signed: Annotated[SignedBody, Depends(signed_body)],
) -> EmailEventsResult:
    """Hard bounces and complaints suppress the address for every later email.

    Sign with ``X-Voc-Timestamp: <unix seconds>`` and ``X-Voc-Signature: sha256=<hex>``, the
    HMAC-SHA256 of ``<timestamp>.<body>`` under ``VOC_EMAIL__EVENTS_SECRET``; unsigned, forged
    or stale events get 403.
    """
    return events_service.record_events(
        session, settings=settings, body=signed.body, signature=signed.signature,
        timestamp=signed.timestamp,
    )  # fmt: skip
