"""JSON API routers, mounted under /api/v1 by ``create_app``."""

from fastapi import APIRouter

from api.routes import campaigns, curation, email_events, feedback, runs, search, themes, users

router = APIRouter()
for _module in (feedback, search, themes, curation, runs, users, campaigns, email_events):
    router.include_router(_module.router)

__all__ = ["router"]
