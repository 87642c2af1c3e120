"""The one shape of a page's form action: run an edit, flash its outcome, redirect."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from api.pages.templating import flash
from voc.errors import NotFound, VocError


def apply_edit(
    request: Request,
    session: Session,
    back_to: str,
    action: Callable[[], str],
    *,
    not_found_to: str,
) -> RedirectResponse:
    """Run one edit inside a savepoint; flash its outcome and go back to ``back_to``.

    A domain error rolls the savepoint back and is flashed; when the thing edited is gone
    (``NotFound``) the page goes to ``not_found_to`` instead, since ``back_to`` is gone too.
    """
    try:
        with session.begin_nested():
            message = action()
    except NotFound as exc:
        flash(request, f"Not done: {exc.detail}", level="error")
        return RedirectResponse(not_found_to, status_code=303)
    except VocError as exc:
        flash(request, f"Not done: {exc.detail}", level="error")
    else:
        flash(request, message, level="success")
    return RedirectResponse(back_to, status_code=303)
