"""JSON API routers, mounted under /api/v1 by ``create_app``."""

from fastapi import APIRouter

from api.routes import (
    accounts,
    campaigns,
    curation,
    email_events,
    feedback,
    loop,
    requests,
    runs,
    search,
    themes,
    users,
)

router = APIRouter()
for _module in (
    feedback, search, themes, curation, runs, users, campaigns, requests, accounts, email_events,
    loop,
):  # fmt: skip
    router.include_router(_module.router)
router.include_router(themes.parents_router)

__all__ = ["router"]
