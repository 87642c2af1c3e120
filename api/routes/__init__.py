"""JSON API routers, mounted under /api/v1 by ``create_app``."""

from fastapi import APIRouter

from api.routes import (
    accounts,
    campaigns,
    curation,
    feedback,
    requests,
    runs,
    search,
    themes,
    users,
)

router = APIRouter()
for _module in (feedback, search, themes, curation, runs, users, campaigns, requests, accounts):
    router.include_router(_module.router)

__all__ = ["router"]
