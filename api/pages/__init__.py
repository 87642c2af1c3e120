"""Server-rendered HTML pages: login, themes, theme detail with curation, feedback, runs.

``router`` is mounted by ``api.app.create_app`` together with ``/static`` (``STATIC_DIR``).
"""

from fastapi import APIRouter

from api.pages import (
    auth,
    campaigns,
    curation,
    feedback,
    loop,
    requests,
    runs,
    themes,
    unsubscribe,
)
from api.pages.templating import STATIC_DIR, TEMPLATES_DIR, render_error

router = APIRouter(include_in_schema=False)
for _module in (auth, themes, curation, feedback, runs, campaigns, requests, loop, unsubscribe):
    router.include_router(_module.router)

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "render_error", "router"]
