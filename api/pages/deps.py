"""Page dependencies: the signed-in user from the session cookie, and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.deps import SESSION_USER_KEY, SessionDep
from api.pages.routing import LoginRequired
from voc.user import service as user_service
from voc.user.models import Permission, User


def page_user(request: Request, session: SessionDep) -> User:
    """The active user of the session cookie; otherwise the page redirects to /login."""
    user_id = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    user = user_service.get(session, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        if "session" in request.scope:
            request.session.pop(SESSION_USER_KEY, None)
        raise LoginRequired
    request.state.page_user = user
    return user


PageUser = Annotated[User, Depends(page_user)]


def page_permission(permission: Permission) -> Callable[[User], User]:
    """A dependency that answers 403 (as a page) when the user's role lacks ``permission``."""

    def check(user: PageUser) -> User:
        if not user.can(permission):
            raise HTTPException(
                status_code=403,
                detail=f"Your role ({user.role}) may not do this: it needs '{permission}'.",
            )
        return user

    return check


Reader = Annotated[User, Depends(page_permission(Permission.READ))]
Curator = Annotated[User, Depends(page_permission(Permission.CURATE))]
Linker = Annotated[User, Depends(page_permission(Permission.LINK_REQUESTS))]
LoopOps = Annotated[User, Depends(page_permission(Permission.LOOP_CLOSURE))]
