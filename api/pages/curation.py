"""Curation forms of the theme page: each POST calls one curation service and redirects back.

Every form carries a CSRF token (checked by ``PageRoute``). A refused edit is rolled back to a
savepoint, so nothing half-done is committed, and the user sees why in a flash message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from api.deps import SessionDep, SettingsDep
from api.pages.actions import apply_edit
from api.pages.deps import Curator
from api.pages.routing import PageRoute
from voc.errors import InvalidInput
from voc.theme import curation

router = APIRouter(route_class=PageRoute)


def _apply(
    request: Request, session: Session, back_to: str, action: Callable[[], str]
) -> RedirectResponse:
    """A curation edit: a theme that is gone sends the page back to the overview."""
    return apply_edit(request, session, back_to, action, not_found_to="/themes")


@router.post("/themes/{theme_id}/rename", include_in_schema=False)
def rename(
    request: Request,
    session: SessionDep,
    user: Curator,
    theme_id: int,
    label: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """Give the theme a human name (kept across re-analysis)."""

    def act() -> str:
        theme = curation.rename(session, theme_id=theme_id, label=label, actor=user.email)
        return f"Renamed to “{theme.label}”."

    return _apply(request, session, f"/themes/{theme_id}", act)


@router.post("/themes/{theme_id}/hide", include_in_schema=False)
def hide(request: Request, session: SessionDep, user: Curator, theme_id: int) -> Response:
    """Hide the theme from the overview (its items stay assigned)."""

    def act() -> str:
        curation.hide(session, theme_id=theme_id, actor=user.email)
        return "Theme hidden. It is listed again with “Show hidden themes”."

    return _apply(request, session, f"/themes/{theme_id}", act)


@router.post("/themes/{theme_id}/unhide", include_in_schema=False)
def unhide(request: Request, session: SessionDep, user: Curator, theme_id: int) -> Response:
    """Show a hidden theme again."""

    def act() -> str:
        curation.unhide(session, theme_id=theme_id, actor=user.email)
        return "Theme visible again."

    return _apply(request, session, f"/themes/{theme_id}", act)


@router.post("/themes/{theme_id}/merge", include_in_schema=False)
def merge(
    request: Request,
    session: SessionDep,
    user: Curator,
    theme_id: int,
    into_id: Annotated[int, Form()],
) -> Response:
    """Merge this theme into another one; the page follows the surviving theme."""

    def act() -> str:
        target = curation.merge(session, source_ids=[theme_id], into_id=into_id, actor=user.email)
        return f"Merged into “{target.label}”. Undo restores both themes."

    return _apply(request, session, f"/themes/{into_id}", act)


@router.post("/themes/{theme_id}/split", include_in_schema=False)
def split(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Curator,
    theme_id: int,
    k: Annotated[int, Form(ge=2, le=10)] = 2,
) -> Response:
    """Split the theme into ``k`` sub-themes by re-clustering its items."""

    def act() -> str:
        seed = settings.nlp.seed
        created = curation.split(session, theme_id=theme_id, k=k, actor=user.email, seed=seed)
        labels = ", ".join(f"“{t.label}”" for t in created)
        return f"Split into {len(created)} themes: {labels}."

    return _apply(request, session, f"/themes/{theme_id}", act)


@router.post("/themes/{theme_id}/move", include_in_schema=False)
def move(
    request: Request,
    session: SessionDep,
    user: Curator,
    theme_id: int,
    to_id: Annotated[int, Form()],
    feedback_ids: Annotated[list[int] | None, Form(max_length=500)] = None,
) -> Response:
    """Move the ticked items to another theme (manual assignments survive re-analysis)."""

    def act() -> str:
        if not feedback_ids:
            raise InvalidInput("tick at least one item in the list before moving")
        target = curation.move_items(
            session, feedback_ids=list(feedback_ids), to_theme_id=to_id, actor=user.email
        )
        return f"Moved {len(feedback_ids)} item(s) to “{target.label}”."

    return _apply(request, session, f"/themes/{theme_id}", act)


@router.post("/themes/{theme_id}/undo", include_in_schema=False)
def undo(request: Request, session: SessionDep, user: Curator, theme_id: int) -> Response:
    """Undo the most recent curation step (whoever made it)."""

    def act() -> str:
        event = curation.undo_last(session, actor=user.email)
        return f"Undid the last edit ({event.action} by {event.actor})."

    return _apply(request, session, f"/themes/{theme_id}", act)


@router.post("/themes/{theme_id}/parent", include_in_schema=False)
def move_theme(
    request: Request,
    session: SessionDep,
    user: Curator,
    theme_id: int,
    parent_id: Annotated[int, Form()],
) -> Response:
    """Put the theme under another parent theme (re-analysis keeps it there)."""

    def act() -> str:
        curation.move_theme(session, theme_id=theme_id, parent_id=parent_id, actor=user.email)
        return "Moved under another parent theme. Re-analysis keeps it there."

    return _apply(request, session, f"/themes/{theme_id}", act)


@router.post("/theme-parents/{parent_id}/rename", include_in_schema=False)
def rename_parent(
    request: Request,
    session: SessionDep,
    user: Curator,
    parent_id: int,
    label: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """Give a parent theme a human name (kept across re-analysis)."""

    def act() -> str:
        parent = curation.rename_parent(session, parent_id=parent_id, label=label, actor=user.email)
        return f"Parent theme renamed to “{parent.label}”."

    return _apply(request, session, f"/themes#parent-{parent_id}", act)


@router.post("/theme-parents/{parent_id}/merge", include_in_schema=False)
def merge_parents(
    request: Request,
    session: SessionDep,
    user: Curator,
    parent_id: int,
    into_id: Annotated[int, Form()],
) -> Response:
    """Merge this parent theme into another; its themes move there."""

    def act() -> str:
        target = curation.merge_parents(
            session, source_ids=[parent_id], into_id=into_id, actor=user.email
        )
        return f"Merged into “{target.label}”. Undo restores both parent themes."

    return _apply(request, session, f"/themes#parent-{into_id}", act)
