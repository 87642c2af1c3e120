"""Product request pages: the list (sort, filter, CSV), the detail with its forms, accounts.

Every form posts with its CSRF token and calls one service; a refused edit is rolled back to
a savepoint and the user sees why in a flash message (as the curation forms do).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from api.deps import SessionDep, SettingsDep
from api.pages.actions import apply_edit
from api.pages.deps import Linker, Reader
from api.pages.export import Cell, csv_response
from api.pages.routing import PageRoute
from api.pages.templating import render
from loop_closure import campaigns as loop_campaigns
from voc.customer import queries as account_queries
from voc.feedback.schemas import FeedbackFilters
from voc.nlp_runtime import get_models
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request import suggest as request_suggest
from voc.request.schemas import (
    STATUSES,
    RequestCreate,
    RequestFilters,
    RequestSummary,
    RequestUpdate,
)
from voc.user.models import Permission

router = APIRouter(route_class=PageRoute)

SortParam = Literal[
    "opportunity", "items", "customers", "accounts", "arr", "nps", "growth", "negative_share",
    "updated", "title",
]  # fmt: skip
DirParam = Literal["asc", "desc"]
ASCENDING_FIRST = {"nps", "title"}  # the service sorts these ascending unless reversed
LIST_CSV_HEADER = (
    "request_id", "external_key", "title", "status", "items", "customers", "accounts", "arr",
    "nps", "negative_share", "growth", "opportunity", "confirmed_themes", "url", "updated_at",
    "shipped_at",
)  # fmt: skip


PAGE_SIZE = 100  # rows of the list page; the CSV holds them all


def _service_sort(sort: str, direction: str) -> str:
    natural_desc = sort not in ASCENDING_FIRST
    return sort if (direction == "desc") == natural_desc else f"-{sort}"


def _apply(
    request: Request, session: Session, back_to: str, action: Callable[[], str]
) -> RedirectResponse:
    """A request edit: a request that is gone sends the page back to the list."""
    not_found_to = "/requests" if back_to.startswith("/requests") else back_to
    return apply_edit(request, session, back_to, action, not_found_to=not_found_to)


def _safe_back(back: str | None, default: str) -> str:
    return back if back and back.startswith("/") and not back.startswith("//") else default


@router.get("/requests", include_in_schema=False)
def request_list(
    request: Request,
    session: SessionDep,
    user: Reader,
    status: Literal["open", "planned", "in_progress", "shipped", "declined"] | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    min_items: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    sort: SortParam = "opportunity",
    dir: DirParam = "desc",
    format: Literal["html", "csv"] = "html",
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Response:
    """Requests with their evidence, sortable by each figure, filtered, PAGE_SIZE at a time.

    The CSV export holds every request that passes the filters, not only the page shown.
    """
    filters = RequestFilters(status=status, q=q or None, min_items=min_items)
    order = _service_sort(sort, dir)
    if format == "csv":
        rows: list[RequestSummary] = []
        while True:
            chunk = request_service.list_requests(
                session,
                filters=filters,
                sort=order,
                limit=request_service.MAX_LIMIT,
                offset=len(rows),
            )
            rows.extend(chunk.requests)
            if not chunk.requests or len(rows) >= chunk.total:
                break
        return csv_response("requests.csv", LIST_CSV_HEADER, _list_csv(rows))
    page = request_service.list_requests(
        session, filters=filters, sort=order, limit=PAGE_SIZE, offset=offset
    )
    context = {
        "page": page,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "status": status,
        "q": q or "",
        "min_items": min_items,
        "sort": sort,
        "dir": dir,
        "statuses": STATUSES,
        "can_link": user.can(Permission.LINK_REQUESTS),
    }
    return render(request, "pages/requests.html", context)


def _list_csv(rows: list[RequestSummary]) -> Iterator[list[Cell]]:
    for r in rows:
        yield [
            r.id, r.external_key, r.title, r.status, r.n_items, r.n_customers, r.n_accounts,
            round(r.arr, 2), None if r.nps is None else round(r.nps, 1),
            None if r.negative_share is None else round(r.negative_share, 4), r.growth,
            r.opportunity, r.n_confirmed_themes, r.url, r.updated_at, r.shipped_at,
        ]  # fmt: skip


@router.post("/requests", include_in_schema=False)
def create_request(
    request: Request,
    session: SessionDep,
    user: Linker,
    title: Annotated[str, Form(max_length=2_000)] = "",
    description: Annotated[str, Form(max_length=200_000)] = "",
    external_key: Annotated[str, Form(max_length=255)] = "",
    url: Annotated[str, Form(max_length=2_048)] = "",
) -> Response:
    """Create a request from the list page's form, then open it."""
    created: list[int] = []

    def act() -> str:
        made = request_service.create(
            session,
            data=RequestCreate(title=title, description=description or None,
                               external_key=external_key or None, url=url or None),
            actor=user.email,
        )  # fmt: skip
        created.append(made.id)
        return f"Created “{made.title}”."

    response = _apply(request, session, "/requests", act)
    if created:
        return RedirectResponse(f"/requests/{created[0]}", status_code=303)
    return response


@router.get("/requests/{request_id}", include_in_schema=False)
def request_detail(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Reader,
    request_id: int,
    find: Annotated[str | None, Query(max_length=500)] = None,
    theme_id: int | None = None,
    kind: Literal["request", "bug", "praise", "question", "other", ""] = "",
) -> Response:
    """Evidence, linked and suggested themes, linked items, history; find the feedback."""
    detail = request_service.get_detail(session, request_id=request_id)
    matches = None
    if find is not None:
        filters = FeedbackFilters(theme_id=theme_id) if theme_id else None
        matches = request_suggest.find_feedback(
            session, request_id=request_id, data_dir=settings.data_dir,
            embedder=get_models(settings).embedder, q=find, k=50, filters=filters,
            kind=kind or None,
        )  # fmt: skip
    context = {
        "r": detail,
        "ev": detail.evidence,
        "confirmed": [t for t in detail.themes if t.state == "confirmed"],
        "suggested": [t for t in detail.themes if t.state == "suggested"],
        "rejected": [t for t in detail.themes if t.state == "rejected"],
        "matches": matches,
        "find": find,
        "kind": kind,
        "kinds": request_suggest.KINDS,
        "statuses": STATUSES,
        "can_link": user.can(Permission.LINK_REQUESTS),
    }
    return render(request, "pages/request_detail.html", context)


@router.post("/requests/{request_id}/edit", include_in_schema=False)
def edit_request(
    request: Request,
    session: SessionDep,
    user: Linker,
    request_id: int,
    title: Annotated[str, Form(max_length=2_000)] = "",
    description: Annotated[str, Form(max_length=200_000)] = "",
    url: Annotated[str, Form(max_length=2_048)] = "",
    release_note: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    """Edit a request's text fields."""

    def act() -> str:
        data = RequestUpdate(title=title, description=description or None, url=url or None,
                             release_note=release_note or None)  # fmt: skip
        request_service.edit(session, request_id=request_id, data=data, actor=user.email)
        return "Saved."

    return _apply(request, session, f"/requests/{request_id}", act)


@router.post("/requests/{request_id}/status", include_in_schema=False)
def change_status(
    request: Request,
    session: SessionDep,
    user: Linker,
    request_id: int,
    status: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=5_000)] = "",
) -> Response:
    """Move the request to a status (kept in its history)."""

    def act() -> str:
        outcome, campaign = loop_campaigns.change_status(
            session, request_id=request_id, status=status, actor=user.email, note=note or None
        )
        if outcome.change is None:
            return f"Already {outcome.request.status}."
        if campaign is not None:
            return "Shipped: its close-the-loop campaign is waiting at /loop."
        return f"Status is now {outcome.request.status}."

    return _apply(request, session, f"/requests/{request_id}", act)


@router.post("/requests/{request_id}/themes/{theme_id}/{decision}", include_in_schema=False)
def decide_theme(
    request: Request,
    session: SessionDep,
    user: Linker,
    request_id: int,
    theme_id: int,
    decision: Literal["confirm", "reject"],
    back: Annotated[str | None, Form(max_length=300)] = None,
) -> Response:
    """Confirm or reject a theme for a request (one click, from either page)."""

    def act() -> str:
        if decision == "confirm":
            request_links.confirm_theme(
                session, request_id=request_id, theme_id=theme_id, actor=user.email
            )
            return f"Theme {theme_id} confirmed."
        request_links.reject_theme(
            session, request_id=request_id, theme_id=theme_id, actor=user.email
        )
        return f"Theme {theme_id} rejected; it will not be suggested again."

    return _apply(request, session, _safe_back(back, f"/requests/{request_id}"), act)


@router.post("/requests/{request_id}/suggest", include_in_schema=False)
def refresh_suggestions(
    request: Request, session: SessionDep, settings: SettingsDep, _user: Linker, request_id: int
) -> Response:
    """Compute theme suggestions for the request now (stored as suggested links)."""

    def act() -> str:
        found = request_suggest.suggest_themes(
            session, request_id=request_id, embedder=get_models(settings).embedder
        )
        return f"{len(found)} themes suggested."

    return _apply(request, session, f"/requests/{request_id}", act)


@router.post("/requests/{request_id}/items", include_in_schema=False)
def link_items(
    request: Request,
    session: SessionDep,
    user: Linker,
    request_id: int,
    feedback_ids: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI form default
    remove: Annotated[bool, Form()] = False,
    back: Annotated[str | None, Form(max_length=800)] = None,
) -> Response:
    """Link the ticked items (or unlink them with ``remove``)."""

    def act() -> str:
        if remove:
            done = request_links.unlink_items(
                session, request_id=request_id, feedback_ids=feedback_ids
            )
            return f"Unlinked {done.removed} items."
        done = request_links.link_items(
            session, request_id=request_id, feedback_ids=feedback_ids, actor=user.email
        )
        return f"Linked {done.linked} items ({done.already} were already linked)."

    return _apply(request, session, _safe_back(back, f"/requests/{request_id}"), act)


@router.get("/accounts/{account_id}", include_in_schema=False)
def account_page(request: Request, session: SessionDep, _user: Reader, account_id: int) -> Response:
    """An account: customers, feedback, themes, and the requests it is waiting on."""
    account = account_queries.get_detail(session, account_id=account_id)
    told = loop_campaigns.told_on_account(session, account_id=account_id)
    return render(request, "pages/account.html", {"account": account, "told": told})


@router.get("/customers/{customer_id}", include_in_schema=False)
def customer_page(session: SessionDep, _user: Reader, customer_id: int) -> Response:
    """A customer opens their account's page."""
    account_id = account_queries.account_of_customer(session, customer_id=customer_id)
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)
