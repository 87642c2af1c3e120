"""Request dependencies: the settings, a session committed before the response, the user.

``SessionDep`` commits when the endpoint returns and rolls back on error, before the response
is sent (``scope="function"``): a streamed response must not read through it afterwards, so it
opens short sessions of its own from ``SessionFactoryDep`` (see :func:`voc.export.export_items`).
``CurrentUser`` comes from a Bearer token or from the signed session cookie of the pages.
``require(Permission.X)`` answers 401 without credentials and 403 for a role that lacks the
permission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field
from sqlalchemy.orm import Session

from voc.config import Settings
from voc.jobs.queue import JobQueue
from voc.user import service as user_service
from voc.user.models import Permission, User

SESSION_USER_KEY = "user_id"
_bearer = HTTPBearer(auto_error=False, description="A personal API token (voc users token)")


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit on success, roll back on any error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_session_factory(request: Request) -> Callable[[], Session]:
    """Opens sessions of their own: for work that outlives the request's session (streams)."""
    factory: Callable[[], Session] = request.app.state.session_factory
    return factory


def get_job_queue(request: Request) -> JobQueue:
    """Where background jobs go (the broker, or the in-process runner)."""
    queue: JobQueue = request.app.state.job_queue
    return queue


MAX_ID = 2**31 - 1  # ids are PostgreSQL integers: a larger one cannot exist (and would not bind)
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]

SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SessionFactoryDep = Annotated[Callable[[], Session], Depends(get_session_factory)]
JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user of the Bearer token, else of the page session cookie; 401 when neither."""
    if credentials is not None:
        user = user_service.authenticate_token(session, token=credentials.credentials)
        if user is None:
            raise _unauthorized("invalid or revoked API token")
        return user
    user_id = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    if isinstance(user_id, int):
        user = user_service.get(session, user_id)
        if user is not None and user.is_active:
            return user
    raise _unauthorized("authentication required: send 'Authorization: Bearer <token>'")


CurrentUser = Annotated[User, Depends(current_user)]


def require(permission: Permission) -> Callable[[User], User]:
    """A dependency that lets only users whose role grants ``permission`` through (else 403)."""

    def check(user: CurrentUser) -> User:
        if not user.can(permission):
            raise HTTPException(
                status_code=403,
                detail=f"role '{user.role}' lacks the '{permission}' permission",
            )
        return user

    check.__name__ = f"require_{permission}"
    return check


Reader = Annotated[User, Depends(require(Permission.READ))]
Curator = Annotated[User, Depends(require(Permission.CURATE))]
Linker = Annotated[User, Depends(require(Permission.LINK_REQUESTS))]
Admin = Annotated[User, Depends(require(Permission.ADMIN))]
LoopOps = Annotated[User, Depends(require(Permission.LOOP_CLOSURE))]
