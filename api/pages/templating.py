"""The one Jinja2 environment: autoescape on for every template, HTML helpers for pages."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from api.pages import charts
from api.pages.csrf import CSRF_FIELD, attach_cookie, csrf_token_for
from voc.export import display_text

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
FLASH_KEY = "flash"
ERROR_TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    422: "Invalid input",
    500: "Something went wrong",
}


def _fmt_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "—" if value is None else value.strftime(fmt)


def _fmt_pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _fmt_num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _fmt_signed(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:+.{digits}f}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared environment (pages now, emails later): autoescape for every template."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        dt=_fmt_dt, pct=_fmt_pct, num=_fmt_num, signed=_fmt_signed, display=display_text
    )
    env.globals.update(
        sparkline=charts.sparkline,
        trend_chart=charts.trend_chart,
        sentiment_parts=charts.sentiment_parts,
        sentiment_class=charts.sentiment_class,
        sentiment_badge=charts.sentiment_badge,
        bar_width=charts.bar_width,
        csrf_field=CSRF_FIELD,
    )
    return env


FRAGMENT_CACHE_SIZE = 4_096
_fragment_lock = threading.Lock()
_fragments: OrderedDict[tuple[str, Hashable], Markup] = OrderedDict()


def render_fragment(name: str, key: Hashable, **values: Any) -> Markup:
    """A request-independent fragment, rendered once per ``key`` (which must cover ``values``).

    Big pages repeat the same rows between requests (the overview's ~300 themes): rendering
    them again would cost more than every query of the page.
    """
    cache_key = (name, key)
    with _fragment_lock:
        html = _fragments.get(cache_key)
        if html is not None:
            _fragments.move_to_end(cache_key)
            return html
    html = Markup(environment().get_template(name).render(values))
    with _fragment_lock:
        _fragments[cache_key] = html
        while len(_fragments) > FRAGMENT_CACHE_SIZE:
            _fragments.popitem(last=False)
    return html


def pop_flashes(request: Request) -> list[dict[str, str]]:
    """Messages queued by the previous POST (shown once)."""
    if "session" not in request.scope:
        return []
    flashes: list[dict[str, str]] = request.session.pop(FLASH_KEY, [])
    return flashes


def flash(request: Request, message: str, *, level: str = "info") -> None:
    """Queue a message for the next page (level: info, success, error)."""
    if "session" not in request.scope:
        return
    request.session.setdefault(FLASH_KEY, []).append({"level": level, "message": message})


def url_with(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return f"{request.url.path}?{query}" if query else request.url.path


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page; sets the CSRF cookie when the page needed a fresh token."""
    user = getattr(request.state, "page_user", None)
    values: dict[str, Any] = {
        "request": request,
        "user": user,
        "flashes": pop_flashes(request),
        "csrf_token": lambda: csrf_token_for(request),
        "url_with": lambda **kw: url_with(request, **kw),
        "path": request.url.path,
    }
    values.update(context or {})
    html = environment().get_template(name).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'",
    )
    attach_cookie(request, response)
    return response


def render_error(request: Request, status_code: int, detail: str | None = None) -> HTMLResponse:
    """An error page from templates/errors/<status>.html (generic.html otherwise)."""
    env = environment()
    name = f"errors/{status_code}.html"
    template = name if (TEMPLATES_DIR / name).is_file() else "errors/generic.html"
    context = {
        "status_code": status_code,
        "title": ERROR_TITLES.get(status_code, "Error"),
        "detail": detail,
    }
    try:
        return render(request, template, context, status_code=status_code)
    except Exception:  # the error page itself must never fail: plain, escaped fallback
        body = env.from_string("<h1>{{ t }}</h1><p>{{ d }}</p>").render(
            t=context["title"], d=detail or ""
        )
        return HTMLResponse(body, status_code=status_code)
