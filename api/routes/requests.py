"""Product requests: list, create, edit, status, evidence, theme links, item links, search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import BodyId, Linker, PathId, QueryId, Reader, SessionDep, SettingsDep
from loop_closure import campaigns as loop_campaigns
from voc.feedback.schemas import FeedbackFilters
from voc.nlp_runtime import get_models
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request import suggest as request_suggest
from voc.request.schemas import (
    SORTS,
    FeedbackMatches,
    ItemLinkResult,
    RequestCreate,
    RequestDetail,
    RequestFilters,
    RequestPage,
    RequestRead,
    RequestSuggestion,
    RequestUpdate,
    StatusChange,
    StatusResult,
    ThemeLinkRead,
    ThemeRequestRead,
    ThemeSuggestion,
)
from voc.search import service as search_service

router = APIRouter(tags=["requests"])

SortParam = Annotated[
    str, Query(pattern="^-?(" + "|".join(SORTS) + ")$", description="prefix - to reverse")
]
StatusParam = Annotated[str | None, Query(pattern="^(open|planned|in_progress|shipped|declined)$")]


class ItemsIn(BaseModel):
    """Feedback items to link to (or unlink from) a request, with optional search scores."""

    feedback_ids: list[BodyId] = Field(min_length=1, max_length=request_links.MAX_ITEMS)
    scores: list[float] | None = Field(default=None, max_length=request_links.MAX_ITEMS)


@router.get("/requests", response_model=RequestPage)
def list_requests(
    session: SessionDep,
    _user: Reader,
    status: StatusParam = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: SortParam = "opportunity",
    min_items: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    min_customers: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    min_arr: Annotated[float | None, Query(ge=0, le=1e15)] = None,
    account_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=request_service.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> RequestPage:
    """Requests with their evidence totals, sorted by any of them, filtered."""
    filters = RequestFilters(
        status=status, q=q, min_items=min_items, min_customers=min_customers, min_arr=min_arr,
        account_id=account_id,
    )  # fmt: skip
    return request_service.list_requests(
        session, filters=filters, sort=sort, limit=limit, offset=offset
    )


@router.post("/requests", response_model=RequestRead, status_code=201)
def create_request(session: SessionDep, user: Linker, body: RequestCreate) -> RequestRead:
    """Create a request (the first status history entry says who)."""
    return RequestRead.model_validate(request_service.create(session, data=body, actor=user.email))


@router.get("/requests/{request_id}", response_model=RequestDetail)
def get_request(session: SessionDep, _user: Reader, request_id: PathId) -> RequestDetail:
    """A request with its evidence, theme links, linked items and status history."""
    return request_service.get_detail(session, request_id=request_id)


@router.patch("/requests/{request_id}", response_model=RequestRead)
def edit_request(
    session: SessionDep, user: Linker, request_id: PathId, body: RequestUpdate
) -> RequestRead:
    """Edit the title, description, key, URL or release note."""
    return RequestRead.model_validate(
        request_service.edit(session, request_id=request_id, data=body, actor=user.email)
    )


@router.post("/requests/{request_id}/status", response_model=StatusResult)
def change_status(
    session: SessionDep, user: Linker, request_id: PathId, body: StatusChange
) -> StatusResult:
    """Move a request to a status (kept in its history); ``became_shipped`` says if it shipped.

    Shipping opens the request's draft close-the-loop campaign (``/api/v1/loop``).
    """
    outcome, _campaign = loop_campaigns.change_status(
        session, request_id=request_id, status=body.status, actor=user.email, note=body.note
    )
    return outcome.to_read()


@router.get("/requests/{request_id}/suggestions", response_model=list[ThemeSuggestion])
def suggest_themes(
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    request_id: PathId,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[ThemeSuggestion]:
    """Themes suggested for the request, best first, with the closest quotes as the why."""
    return request_suggest.suggest_themes(
        session, request_id=request_id, embedder=get_models(settings).embedder, limit=limit
    )


@router.post("/requests/{request_id}/themes/{theme_id}/confirm", response_model=ThemeLinkRead)
def confirm_theme(
    session: SessionDep, user: Linker, request_id: PathId, theme_id: PathId
) -> ThemeLinkRead:
    """Confirm a theme for a request: its confident items become evidence."""
    request_links.confirm_theme(session, request_id=request_id, theme_id=theme_id, actor=user.email)
    return _link(session, request_id, theme_id)


@router.post("/requests/{request_id}/themes/{theme_id}/reject", response_model=ThemeLinkRead)
def reject_theme(
    session: SessionDep, user: Linker, request_id: PathId, theme_id: PathId
) -> ThemeLinkRead:
    """Reject a theme for a request: the pair is never suggested again."""
    request_links.reject_theme(session, request_id=request_id, theme_id=theme_id, actor=user.email)
    return _link(session, request_id, theme_id)


def _link(session: SessionDep, request_id: int, theme_id: int) -> ThemeLinkRead:
    links = request_links.theme_links_read(session, request_id=request_id)
    return next(link for link in links if link.theme_id == theme_id)


@router.post("/requests/{request_id}/items", response_model=ItemLinkResult)
def link_items(
    session: SessionDep, user: Linker, request_id: PathId, body: ItemsIn
) -> ItemLinkResult:
    """Link feedback items directly (one, or the ticked hits of a search)."""
    scores = dict(zip(body.feedback_ids, body.scores or [], strict=False))
    return request_links.link_items(
        session, request_id=request_id, feedback_ids=body.feedback_ids, actor=user.email,
        scores=scores,
    )  # fmt: skip


@router.post("/requests/{request_id}/items/remove", response_model=ItemLinkResult)
def unlink_items(
    session: SessionDep, _user: Linker, request_id: PathId, body: ItemsIn
) -> ItemLinkResult:
    """Remove direct links of items."""
    return request_links.unlink_items(
        session, request_id=request_id, feedback_ids=body.feedback_ids
    )


@router.get("/requests/{request_id}/find", response_model=FeedbackMatches)
def find_feedback(
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    request_id: PathId,
    q: Annotated[str | None, Query(max_length=500)] = None,
    k: Annotated[int, Query(ge=1, le=search_service.MAX_K)] = 50,
    theme_id: QueryId = None,
    kind: Annotated[str | None, Query(pattern="^(request|bug|praise|question|other)$")] = None,
) -> FeedbackMatches:
    """Find the feedback that asks for this: closest in meaning to the request (or ``q``)."""
    filters = FeedbackFilters(theme_id=theme_id) if theme_id is not None else None
    return request_suggest.find_feedback(
        session, request_id=request_id, data_dir=settings.data_dir,
        embedder=get_models(settings).embedder, q=q, k=k, filters=filters, kind=kind,
    )  # fmt: skip


@router.get("/themes/{theme_id}/requests", response_model=list[ThemeRequestRead])
def theme_requests(session: SessionDep, _user: Reader, theme_id: PathId) -> list[ThemeRequestRead]:
    """A theme's confirmed and suggested requests."""
    return request_suggest.requests_of_theme(session, theme_id=theme_id)


@router.post("/themes/{theme_id}/requests/suggest", response_model=list[RequestSuggestion])
def suggest_requests(
    session: SessionDep,
    settings: SettingsDep,
    _user: Linker,
    theme_id: PathId,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[RequestSuggestion]:
    """Suggest requests for a theme (best first) and store the suggestions."""
    return request_suggest.suggest_requests(
        session, theme_id=theme_id, embedder=get_models(settings).embedder, limit=limit
    )
