"""Signed unsubscribe tokens (itsdangerous) and HMAC signatures of email events."""

from __future__ import annotations

import hashlib
import hmac
import time

from itsdangerous import BadSignature, URLSafeSerializer

from voc.config import Settings
from voc.errors import InvalidInput, NotAllowed

UNSUBSCRIBE_SALT = "voc.loop.unsubscribe"
SIGNATURE_HEADER = "X-Voc-Signature"
TIMESTAMP_HEADER = "X-Voc-Timestamp"


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.auth.secret_key.get_secret_value(), salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(settings: Settings, *, address: str) -> str:
    """A token that names one (lowercased) address; it does not expire (RFC 8058 links live)."""
    return str(_serializer(settings).dumps({"a": address.lower()}))


def unsubscribe_url(settings: Settings, *, address: str) -> str:
    """The HTTPS link of ``List-Unsubscribe`` (``VOC_PUBLIC_URL`` + ``/u/{token}``)."""
    return f"{settings.public_url.rstrip('/')}/u/{unsubscribe_token(settings, address=address)}"


def address_of_token(settings: Settings, token: str) -> str:
    """The address a token names; ``InvalidInput`` for a forged, altered or foreign token."""
    try:
        data = _serializer(settings).loads(token)
    except BadSignature:
        raise InvalidInput(
            "token: this unsubscribe link is not valid (altered or forged)"
        ) from None
    address = data.get("a") if isinstance(data, dict) else None
    if not isinstance(address, str) or "@" not in address:
        raise InvalidInput("token: this unsubscribe link is not valid")
    return address


def event_signature(secret: str, *, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of ``timestamp + "." + body`` under the events secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify_event(
    settings: Settings, *, signature: str | None, timestamp: str | None, body: bytes
) -> None:
    """Refuse an unsigned, forged or stale event (``NotAllowed`` names the header)."""
    if not signature or not timestamp:
        raise NotAllowed(
            f"{SIGNATURE_HEADER}: unsigned event (send {SIGNATURE_HEADER} and {TIMESTAMP_HEADER})"
        )
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise NotAllowed(f"{TIMESTAMP_HEADER}: not a Unix time in seconds") from None
    if abs(time.time() - sent_at) > settings.email.events_max_skew_s:
        raise NotAllowed(f"{TIMESTAMP_HEADER}: too old or in the future")
    expected = event_signature(
        settings.email.events_secret.get_secret_value(), timestamp=timestamp, body=body
    )
    if not hmac.compare_digest(expected, signature.strip()):
        raise NotAllowed(f"{SIGNATURE_HEADER}: signature does not match")
