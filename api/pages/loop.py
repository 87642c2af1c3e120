"""Close-the-loop pages: shipped requests waiting to be told, a campaign's preview, delivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from api.deps import PathId, SessionDep, SettingsDep
from api.pages.deps import LoopOps, Reader
from api.pages.routing import PageRoute
from api.pages.templating import flash, render
from loop_closure import campaigns as loop_campaigns
from voc.errors import VocError
from voc.user.models import Permission

router = APIRouter(route_class=PageRoute)


@router.get("/loop", include_in_schema=False)
def waiting(
    request: Request, session: SessionDep, settings: SettingsDep, _user: Reader
) -> Response:
    """Shipped requests: drafts waiting for approval (with recipient counts), then delivery."""
    rows = loop_campaigns.list_waiting(session, settings=settings)
    return render(request, "pages/loop.html", {"rows": rows})


@router.get("/loop/{request_id}", include_in_schema=False)
def campaign(
    request: Request, session: SessionDep, settings: SettingsDep, user: Reader, request_id: PathId
) -> Response:
    """A draft's preview (quotes, exact emails, exclusions) or an approved one's delivery."""
    preview = loop_campaigns.preview(session, settings=settings, request_ref=request_id)
    delivery = None
    if preview.campaign.status == "approved":
        delivery = loop_campaigns.delivery(session, request_ref=request_id)
    context = {
        "preview": preview,
        "delivery": delivery,
        "can_approve": user.can(Permission.LOOP_CLOSURE),
    }
    return render(request, "pages/loop_campaign.html", context)


@router.post("/loop/{request_id}/note", include_in_schema=False)
def edit_note(
    request: Request,
    session: SessionDep,
    user: LoopOps,
    request_id: PathId,
    release_note: Annotated[str, Form(max_length=loop_campaigns.MAX_RELEASE_NOTE)] = "",
) -> Response:
    """Save the release note of the draft."""
    try:
        loop_campaigns.set_release_note(
            session, request_ref=request_id, release_note=release_note, actor=user
        )
        flash(request, "Release note saved; the preview shows it.", level="success")
    except VocError as exc:
        flash(request, exc.detail, level="error")
    return RedirectResponse(f"/loop/{request_id}", status_code=303)


@router.post("/loop/{request_id}/approve", include_in_schema=False)
def approve(
    request: Request, session: SessionDep, settings: SettingsDep, user: LoopOps, request_id: PathId
) -> Response:
    """Approve: the emails go into the outbox (a second click or browser queues nothing)."""
    try:
        result = loop_campaigns.approve(
            session, settings=settings, request_ref=request_id, actor=user
        )
        flash(request, f"Approved: {result.queued} emails queued for sending.", level="success")
    except VocError as exc:
        flash(request, exc.detail, level="error")
    return RedirectResponse(f"/loop/{request_id}", status_code=303)
