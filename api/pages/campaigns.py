"""The NPS campaign report page: the same self-contained report `voc nps report` writes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api import report_render
from api.deps import SessionDep, SettingsDep
from api.pages.deps import Reader
from api.pages.routing import PageRoute
from voc.campaign import service as campaign_service

router = APIRouter(route_class=PageRoute)


@router.get("/campaigns/report", include_in_schema=False)
def campaign_report_page(
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    campaign: Annotated[str, Query(min_length=1, max_length=255)],
    compare: Annotated[str | None, Query(max_length=255)] = None,
    by: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """Campaign NPS with intervals, change, drivers and accounts at risk."""
    report = campaign_service.build_report(
        session,
        campaign=campaign,
        compare=compare or None,
        by=by or None,
        options=campaign_service.options_from_settings(settings),
        weights=campaign_service.weights_from_settings(settings),
    )
    return HTMLResponse(report_render.to_html(report))
