"""Close the loop: shipped requests waiting, the preview, the release note, approval, delivery.

Reading needs the ``read`` permission; editing the release note and approving need
``loop_closure`` (roles ``cs_ops`` and ``admin``).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import LoopOps, PathId, Reader, SessionDep, SettingsDep
from loop_closure import campaigns as loop_campaigns
from loop_closure.schemas import (
    ApprovalRead,
    CampaignRead,
    DeliveryRead,
    PreviewRead,
    ToldRead,
    WaitingRead,
)

router = APIRouter(prefix="/loop", tags=["close the loop"])


class ReleaseNoteUpdate(BaseModel):
    """The line of what shipped, as the email will say it."""

    release_note: str = Field(max_length=loop_campaigns.MAX_RELEASE_NOTE)


@router.get("/campaigns", response_model=list[WaitingRead])
def waiting(session: SessionDep, settings: SettingsDep, _user: Reader) -> list[WaitingRead]:
    """Shipped requests with their campaign (drafts first) and how many would be told."""
    return loop_campaigns.list_waiting(session, settings=settings)


@router.get("/requests/{request_id}/preview", response_model=PreviewRead)
def preview(
    session: SessionDep, settings: SettingsDep, _user: Reader, request_id: PathId
) -> PreviewRead:
    """The dry run: each recipient's quote and exact email; each exclusion with its reason."""
    return loop_campaigns.preview(session, settings=settings, request_ref=request_id)


@router.patch("/requests/{request_id}/campaign", response_model=CampaignRead)
def edit_release_note(
    session: SessionDep, user: LoopOps, request_id: PathId, body: ReleaseNoteUpdate
) -> CampaignRead:
    """Edit the release note of the draft (409 once approved)."""
    return loop_campaigns.set_release_note(
        session, request_ref=request_id, release_note=body.release_note, actor=user
    )


@router.post("/requests/{request_id}/approve", response_model=ApprovalRead)
def approve(
    session: SessionDep, settings: SettingsDep, user: LoopOps, request_id: PathId
) -> ApprovalRead:
    """Approve: one outbox row per recipient in this transaction.

    409 when already approved, when nobody is left to tell, or when the request is not shipped.
    """
    return loop_campaigns.approve(session, settings=settings, request_ref=request_id, actor=user)


@router.get("/requests/{request_id}/delivery", response_model=DeliveryRead)
def delivery(session: SessionDep, _user: Reader, request_id: PathId) -> DeliveryRead:
    """Delivery status of each email of the request's latest campaign, and counts."""
    return loop_campaigns.delivery(session, request_ref=request_id)


@router.get("/accounts/{account_id}/told", response_model=list[ToldRead])
def told(session: SessionDep, _user: Reader, account_id: PathId) -> list[ToldRead]:
    """What each customer of the account was told, and when (newest first)."""
    return loop_campaigns.told_on_account(session, account_id=account_id)
