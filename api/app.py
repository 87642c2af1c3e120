"""The FastAPI application: JSON API under /api/v1, HTML pages, static files, sessions."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session
from starlette.middleware.sessions import SessionMiddleware

import loop_closure.models  # noqa: F401 - the close-the-loop tables
import voc.models  # noqa: F401 - every table known before the first query
from api import errors
from api.routes import router as api_router
from voc.config import Settings
from voc.db import ensure_schema, get_engine, session_factory
from voc.jobs.queue import JobQueue
from voc.jobs.runners import make_job_queue

SESSION_COOKIE = "voc_session"


def create_app(
    settings: Settings,
    *,
    session_maker: Callable[[], Session] | None = None,
    job_queue: JobQueue | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Build the app for ``settings``; tests may inject the session maker and the job queue."""
    from api.pages import STATIC_DIR
    from api.pages import router as pages_router

    if session_maker is None:
        engine = get_engine(settings.database_url)
        if migrate:
            ensure_schema(engine)
        session_maker = session_factory(engine)
    app = FastAPI(
        title="VoC feedback analysis",
        version="1.0.0",
        description="Themes, sentiment and curation of customer feedback. "
        "Authenticate with `Authorization: Bearer <token>` (`voc users token EMAIL`).",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.session_factory = session_maker
    app.state.job_queue = job_queue or make_job_queue(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.auth.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.auth.session_max_age_s,
        same_site="lax",
        https_only=settings.environment == "production",
    )
    errors.install(app)
    app.include_router(api_router, prefix="/api/v1", responses=errors.ERROR_RESPONSES)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
