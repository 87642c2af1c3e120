"""The route class of every page: CSRF on unsafe methods, HTML error pages, login redirects."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from api.pages.csrf import CsrfError, verify_request
from api.pages.templating import render_error
from voc.errors import InvalidInput, NotAllowed, NotFound, VocError

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_VOC_STATUS: dict[type[VocError], int] = {NotFound: 404, NotAllowed: 403, InvalidInput: 422}


class LoginRequired(Exception):
    """No signed-in user: the page answers with a redirect to the login form."""


def login_redirect(request: Request) -> RedirectResponse:
    """Redirect to /login, remembering the page asked for (same-site paths only)."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in {"query", "body"})
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Some parameters are not valid — " + "; ".join(parts)


class PageRoute(APIRoute):
    """Checks the CSRF token of every POST and turns errors into helpful HTML pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with the page policies."""
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            if request.method not in SAFE_METHODS:
                try:
                    await verify_request(request)
                except CsrfError as exc:
                    return render_error(request, 403, str(exc))
            try:
                return await handler(request)
            except LoginRequired:
                return login_redirect(request)
            except RequestValidationError as exc:
                return render_error(request, 422, _validation_message(exc))
            except HTTPException as exc:
                if exc.status_code == 401:
                    return login_redirect(request)
                return render_error(request, exc.status_code, str(exc.detail))
            except VocError as exc:
                status = next((s for t, s in _VOC_STATUS.items() if isinstance(exc, t)), 409)
                return render_error(request, status, exc.detail)

        return page_handler
