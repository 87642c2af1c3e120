"""NPS campaigns: the list and the full campaign report as JSON (same as `voc nps report`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api import report_render
from api.deps import Reader, SessionDep, SettingsDep
from voc.campaign import service as campaign_service

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
Name = Annotated[str, Query(min_length=1, max_length=255)]


class CampaignRead(BaseModel):
    """One campaign: responses, scored responses, NPS with its 95% interval."""

    name: str
    n_responses: int
    n_scored: int
    nps: float | None
    ci_low: float | None
    ci_high: float | None


@router.get("", response_model=list[CampaignRead])
def list_campaigns(session: SessionDep, _user: Reader) -> list[CampaignRead]:
    """Campaigns with response counts and NPS."""
    return [
        CampaignRead(
            name=c.name,
            n_responses=c.n_responses,
            n_scored=c.n_scored,
            nps=c.estimate.nps if c.estimate else None,
            ci_low=c.estimate.ci_low if c.estimate else None,
            ci_high=c.estimate.ci_high if c.estimate else None,
        )
        for c in campaign_service.list_campaigns(session)
    ]


@router.get("/report", response_model=dict[str, Any])
def campaign_report(
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    campaign: Name,
    compare: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    by: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    level: Literal["theme", "parent"] = "theme",
) -> dict[str, Any]:
    """NPS, change, groups, theme impact, drivers, emerging themes, accounts at risk.

    ``level=parent``: theme impact, drivers and emerging themes over the parent themes.
    """
    report = campaign_service.build_report(
        session,
        campaign=campaign,
        compare=compare,
        by=by,
        options=campaign_service.options_from_settings(settings),
        weights=campaign_service.weights_from_settings(settings),
        level=level,
    )
    return report_render.to_dict(report)
