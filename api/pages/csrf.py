"""CSRF protection for every page form: a signed double-submit token.

The browser holds a random value in the ``voc_csrf`` cookie; each form carries that value signed
with the app secret (itsdangerous, timed). A POST passes only when the form token is a valid,
unexpired signature of the cookie value it came with. A cross-site form can neither read the
cookie nor forge the signature.
"""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from voc.config import Settings, get_settings

COOKIE_NAME = "voc_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SALT = "voc.pages.csrf"
MAX_AGE_S = 12 * 3600
_STATE_NEW = "csrf_new_cookie"
_STATE_FORM_TOKEN = "csrf_form_token"


class CsrfError(Exception):
    """A form arrived without a valid CSRF token; the message says what to do."""


def _settings(request: Request) -> Settings:
    state_settings = getattr(request.app.state, "settings", None)
    return state_settings if isinstance(state_settings, Settings) else get_settings()


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret = _settings(request).auth.secret_key.get_secret_value()
    return URLSafeTimedSerializer(secret, salt=SALT)


def _cookie_value(request: Request) -> str:
    """The browser's CSRF value, or a new one remembered for :func:`attach_cookie`."""
    new_value = getattr(request.state, _STATE_NEW, None)
    if isinstance(new_value, str):
        return new_value
    existing = request.cookies.get(COOKIE_NAME)
    if existing and 20 <= len(existing) <= 128:
        return existing
    value = secrets.token_urlsafe(32)
    setattr(request.state, _STATE_NEW, value)
    return value


def csrf_token_for(request: Request) -> str:
    """The token to embed in a form rendered for this request (signed once per request)."""
    token = getattr(request.state, _STATE_FORM_TOKEN, None)
    if not isinstance(token, str):
        token = str(_serializer(request).dumps(_cookie_value(request)))
        setattr(request.state, _STATE_FORM_TOKEN, token)
    return token


def attach_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie when this request created a new value."""
    value = getattr(request.state, _STATE_NEW, None)
    if not isinstance(value, str):
        return
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def check_token(request: Request, token: str | None) -> None:
    """Raise :class:`CsrfError` unless ``token`` signs this browser's CSRF cookie."""
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        raise CsrfError(
            "Your browser did not send the security cookie with this form. "
            "Make sure cookies are allowed for this site, reload the page and try again."
        )
    if not token:
        raise CsrfError("This form arrived without its security token. Reload the page and retry.")
    try:
        signed_value = _serializer(request).loads(token, max_age=MAX_AGE_S)
    except SignatureExpired as exc:
        raise CsrfError("This form has expired. Reload the page and submit it again.") from exc
    except BadSignature as exc:
        raise CsrfError("This form's security token is not valid. Reload the page.") from exc
    if not isinstance(signed_value, str) or not hmac.compare_digest(signed_value, cookie):
        raise CsrfError(
            "This form was opened in another browser session. Reload the page and try again."
        )


async def verify_request(request: Request) -> None:
    """Check the token of a form POST (field ``csrf_token``) or of the X-CSRF-Token header."""
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    check_token(request, token)
