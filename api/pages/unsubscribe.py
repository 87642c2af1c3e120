"""``/u/{token}``: the unsubscribe link of every email (no login, no CSRF: the token is signed).

``GET`` shows a confirmation and changes nothing (link scanners fetch it); ``POST`` is the
confirmation button and the RFC 8058 one-click POST of mail clients: idempotent.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, Response

from api.deps import SessionDep, SettingsDep
from api.pages.templating import render
from loop_closure import events as events_service
from voc.errors import InvalidInput

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=2048)]
INVALID = (
    "This unsubscribe link is not valid: it may have been cut or changed. "
    "Open the link from the email again, or reply to the email and we will remove you."
)


def _invalid(request: Request) -> Response:
    return render(request, "pages/unsubscribe.html", {"state": "invalid", "message": INVALID},
                  status_code=400)  # fmt: skip


@router.get("/u/{token}")
def confirm(request: Request, settings: SettingsDep, token: Token) -> Response:
    """Ask to confirm; nothing changes on GET."""
    try:
        address = events_service.address_of_link(settings, token=token)
    except InvalidInput:
        return _invalid(request)
    return render(request, "pages/unsubscribe.html",
                  {"state": "confirm", "address": address, "token": token})  # fmt: skip


@router.post("/u/{token}")
def unsubscribe(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Token,
    list_unsubscribe: Annotated[str | None, Form(alias="List-Unsubscribe", max_length=64)] = None,
) -> Response:
    """Unsubscribe (again is fine): the address gets no later email."""
    try:
        result = events_service.unsubscribe(
            session, settings=settings, token=token, one_click=list_unsubscribe == "One-Click"
        )
    except InvalidInput:
        return _invalid(request)
    return render(request, "pages/unsubscribe.html",
                  {"state": "done", "address": result.address})  # fmt: skip
