"""Sign in with email and password (session cookie) and sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from api.deps import SESSION_USER_KEY, SessionDep
from api.pages.routing import PageRoute
from api.pages.templating import flash, render
from voc.user import service as user_service

router = APIRouter(route_class=PageRoute)


def safe_next(target: str | None) -> str:
    """Only same-site absolute paths are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/themes"
    if target.startswith(("/login", "/logout")):
        return "/themes"
    return target


@router.get("/login", include_in_schema=False)
def login_form(request: Request, session: SessionDep, next: str | None = None) -> Response:
    """The sign-in form (or straight on when the session is already signed in)."""
    user_id = request.session.get(SESSION_USER_KEY)
    user = user_service.get(session, user_id) if isinstance(user_id, int) else None
    if user is not None and user.is_active:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request, "pages/login.html", {"next_url": safe_next(next), "error": None, "email": ""}
    )


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/themes",
) -> Response:
    """Check the password; on success start a fresh session and go where the user was going."""
    user = None
    if email and password:
        user = user_service.authenticate_password(session, email=email, password=password)
    if user is None:
        context = {
            "next_url": safe_next(next),
            "email": email,
            "error": "That email and password do not match an active account.",
        }
        return render(request, "pages/login.html", context, status_code=401)
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    """Forget the session and go back to the sign-in form."""
    request.session.clear()
    flash(request, "You are signed out.", level="success")
    return RedirectResponse("/login", status_code=303)
