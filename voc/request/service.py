"""Use cases of product requests: create, edit, change status (with history), list, detail.

Every status change, from the API, the pages, the CLI or a tracker re-import, goes through
:func:`change_status`; its result says whether the request became shipped, which is where
close-the-loop campaigns hang. Services flush, never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from voc.errors import Conflict, InvalidInput, NotFound
from voc.request import evidence as request_evidence
from voc.request import links as request_links
from voc.request import repository
from voc.request.models import (
    ProductRequest,
    RequestStats,
    RequestStatus,
    RequestStatusChange,
)
from voc.request.schemas import (
    SORTS,
    STATUSES,
    RequestCreate,
    RequestDetail,
    RequestFilters,
    RequestPage,
    RequestRead,
    RequestSummary,
    RequestUpdate,
    StatusChangeRead,
    StatusResult,
)
from voc.types import utcnow

MAX_TITLE = 255
MAX_DESCRIPTION = 50_000
MAX_RELEASE_NOTE = 20_000
MAX_LIMIT = 500
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


@dataclass(frozen=True)
class StatusOutcome:
    """The request, the history entry written (None when unchanged), and the shipping event."""

    request: ProductRequest
    change: RequestStatusChange | None
    became_shipped: bool

    def to_read(self) -> StatusResult:
        """The API schema of this outcome."""
        return StatusResult(
            request=RequestRead.model_validate(self.request),
            change=None if self.change is None else StatusChangeRead.model_validate(self.change),
            became_shipped=self.became_shipped,
        )


# --- validation (shared by the API, the pages, the CLI and the tracker import) -------------


def clean_title(value: str | None) -> str:
    """A title on one line, 1..255 characters, without markup."""
    title = " ".join((value or "").split())
    if not title:
        raise InvalidInput("title: is required")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"title: at most {MAX_TITLE} characters (got {len(title)})")
    if _MARKUP.search(title):
        raise InvalidInput("title: markup (HTML tags) is not allowed")
    return title


def clean_description(value: str | None, *, field: str = "description") -> str | None:
    """Free text up to the field's limit; empty becomes None."""
    if value is None or not value.strip():
        return None
    limit = MAX_RELEASE_NOTE if field == "release_note" else MAX_DESCRIPTION
    if len(value) > limit:
        raise InvalidInput(f"{field}: at most {limit} characters (got {len(value)})")
    if "\x00" in value:
        raise InvalidInput(f"{field}: contains a NUL character")
    return value.strip()


def clean_status(value: str | None) -> str:
    """One of open, planned, in_progress, shipped, declined."""
    status = (value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if status not in STATUSES:
        raise InvalidInput(f"status: {value!r} is not one of {', '.join(STATUSES)}")
    return status


def clean_key(value: str | None) -> str | None:
    """A tracker key on one line (None when empty)."""
    if value is None or not value.strip():
        return None
    key = value.strip()
    if len(key) > 255 or any(ch in key for ch in "\r\n\t\x00"):
        raise InvalidInput("external_key: one line of at most 255 characters")
    return key


def clean_url(value: str | None) -> str | None:
    """An http(s) URL (None when empty)."""
    if value is None or not value.strip():
        return None
    url = value.strip()
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc or len(url) > 2_048:
        raise InvalidInput("url: must be an http(s) address of at most 2048 characters")
    return url


# --- lookups ---------------------------------------------------------------------------------


def get(session: Session, request_id: int) -> ProductRequest | None:
    """The request, or None."""
    return session.get(ProductRequest, request_id)


def get_or_raise(session: Session, request_id: int) -> ProductRequest:
    """The request, or :class:`NotFound`."""
    found = session.get(ProductRequest, request_id)
    if found is None:
        raise NotFound(f"request {request_id} does not exist")
    return found


def get_by_key(session: Session, key: str) -> ProductRequest | None:
    """The request with this external key (a tracker issue key), or None."""
    return repository.by_key(session, key.strip())


def resolve(session: Session, ref: str) -> ProductRequest:
    """A request named by external key, or by id (digits, when no key matches): CLI and pages."""
    found = repository.by_key(session, ref.strip())
    if found is None and ref.strip().isdigit():
        found = session.get(ProductRequest, int(ref.strip()))
    if found is None:
        raise NotFound(f"request {ref!r} does not exist (give its external key or id)")
    return found


# --- writes ----------------------------------------------------------------------------------


def _check_key_free(session: Session, key: str | None, request_id: int | None) -> None:
    if key is None:
        return
    other = repository.by_key(session, key)
    if other is not None and other.id != request_id:
        raise Conflict(f"external_key: {key!r} already belongs to request {other.id}")


def create(session: Session, *, data: RequestCreate, actor: str) -> ProductRequest:
    """A new request; its first history entry records the initial status."""
    key = clean_key(data.external_key)
    _check_key_free(session, key, None)
    status = clean_status(data.status)
    now = utcnow()
    request = ProductRequest(
        title=clean_title(data.title),
        description=clean_description(data.description),
        status=status,
        external_key=key,
        url=clean_url(data.url),
        release_note=clean_description(data.release_note, field="release_note"),
        created_by=actor,
        updated_by=actor,
        created_at=now,
        updated_at=now,
        shipped_at=now if status == RequestStatus.SHIPPED else None,
    )
    session.add(request)
    session.flush()
    session.add(
        RequestStatusChange(
            request_id=request.id, from_status=None, to_status=status, actor=actor, note="created"
        )
    )
    request_evidence.refresh_stats(session, request_ids=[request.id])
    return request


def edit(session: Session, *, request_id: int, data: RequestUpdate, actor: str) -> ProductRequest:
    """Change the fields given (title, description, key, url, release note)."""
    request = get_or_raise(session, request_id)
    given = data.model_fields_set
    if "title" in given:
        request.title = clean_title(data.title)
    if "description" in given:
        request.description = clean_description(data.description)
    if "external_key" in given:
        key = clean_key(data.external_key)
        _check_key_free(session, key, request.id)
        request.external_key = key
    if "url" in given:
        request.url = clean_url(data.url)
    if "release_note" in given:
        request.release_note = clean_description(data.release_note, field="release_note")
    request.updated_by = actor
    request.updated_at = utcnow()
    session.flush()
    return request


def change_status(
    session: Session, *, request_id: int, status: str, actor: str, note: str | None = None
) -> StatusOutcome:
    """Move a request to a status, kept in the history; shipping records ``shipped_at``.

    ``became_shipped`` is True only when the request moved into ``shipped`` now: the one
    event close-the-loop campaigns start from (API, pages, CLI and re-imports all come here).
    """
    request = get_or_raise(session, request_id)
    target = clean_status(status)
    note = clean_description(note, field="note")
    if target == request.status:
        return StatusOutcome(request=request, change=None, became_shipped=False)
    change = RequestStatusChange(
        request_id=request.id, from_status=request.status, to_status=target, actor=actor, note=note
    )
    session.add(change)
    became_shipped = target == RequestStatus.SHIPPED
    request.status = target
    request.shipped_at = utcnow() if became_shipped else None
    request.updated_by, request.updated_at = actor, utcnow()
    session.flush()
    return StatusOutcome(request=request, change=change, became_shipped=became_shipped)


def history(session: Session, *, request_id: int) -> list[StatusChangeRead]:
    """The status history of a request, oldest first."""
    get_or_raise(session, request_id)
    return [StatusChangeRead.model_validate(c) for c in repository.history(session, request_id)]


# --- reads -----------------------------------------------------------------------------------


def _sort_column(sort: str) -> tuple[object, bool]:
    columns: dict[str, tuple[object, bool]] = {
        "opportunity": (RequestStats.opportunity, True),
        "items": (RequestStats.n_items, True),
        "customers": (RequestStats.n_customers, True),
        "accounts": (RequestStats.n_accounts, True),
        "arr": (RequestStats.arr, True),
        "nps": (RequestStats.nps, False),
        "growth": (RequestStats.n_recent - RequestStats.n_previous, True),
        "negative_share": (
            RequestStats.n_negative * 1.0 / func.nullif(RequestStats.n_items, 0),
            True,
        ),
        "updated": (ProductRequest.updated_at, True),
        "title": (ProductRequest.title, False),
    }
    return columns[sort]


def _filtered(
    query: Select[ProductRequest, RequestStats], filters: RequestFilters
) -> Select[ProductRequest, RequestStats]:
    if filters.status is not None:
        query = query.where(ProductRequest.status == clean_status(filters.status))
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        query = query.where(
            or_(ProductRequest.title.ilike(pattern), ProductRequest.external_key.ilike(pattern))
        )
    if filters.min_items is not None:
        query = query.where(RequestStats.n_items >= filters.min_items)
    if filters.min_customers is not None:
        query = query.where(RequestStats.n_customers >= filters.min_customers)
    if filters.min_arr is not None:
        query = query.where(RequestStats.arr >= filters.min_arr)
    return query


def list_requests(
    session: Session,
    *,
    filters: RequestFilters | None = None,
    sort: str = "opportunity",
    limit: int = 50,
    offset: int = 0,
) -> RequestPage:
    """Requests with their stored evidence, sorted by any evidence column, filtered."""
    filters = filters or RequestFilters()
    if sort.lstrip("-") not in SORTS:
        raise InvalidInput(f"sort: one of {', '.join(SORTS)} (prefix - to reverse)")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise InvalidInput("offset: 0 or more")
    # reads only: the stored rows are written by link changes, theme stats refreshes (runs,
    # curation, imports) and the incremental path (voc/request/evidence/delta.py)
    base = select(ProductRequest, RequestStats).join(
        RequestStats, RequestStats.request_id == ProductRequest.id
    )
    if filters.account_id is not None:
        base = base.where(
            ProductRequest.id.in_(
                request_evidence.request_ids_of_account(session, account_id=filters.account_id)
            )
        )
    base = _filtered(base, filters)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    column, descending = _sort_column(sort.lstrip("-"))
    if sort.startswith("-"):
        descending = not descending
    order = column.desc() if descending else column.asc()  # type: ignore[attr-defined]
    rows = session.execute(
        base.order_by(order.nulls_last(), ProductRequest.id).limit(limit).offset(offset)
    ).all()
    confirmed = repository.confirmed_counts(session, [r.id for r, _ in rows])
    summaries = [_summary(r, s, confirmed.get(r.id, 0)) for r, s in rows]
    return RequestPage(
        requests=summaries,
        total=int(total),
        limit=limit,
        offset=offset,
        sort=sort,
        formula=request_evidence.formula_text(),
    )


def _summary(request: ProductRequest, stats: RequestStats, n_confirmed: int) -> RequestSummary:
    base = RequestRead.model_validate(request).model_dump()
    return RequestSummary(
        **base,
        n_items=stats.n_items,
        n_customers=stats.n_customers,
        n_accounts=stats.n_accounts,
        arr=stats.arr,
        nps=stats.nps,
        negative_share=stats.n_negative / stats.n_items if stats.n_items else None,
        growth=request_evidence.growth(stats.n_recent, stats.n_previous),
        opportunity=stats.opportunity,
        n_confirmed_themes=n_confirmed,
    )


def get_detail(
    session: Session, *, request_id: int, min_confidence: float | None = None, item_limit: int = 50
) -> RequestDetail:
    """A request with its stored (or, when not current, live) evidence, links and history."""
    request = get_or_raise(session, request_id)
    evidence = request_evidence.detail_evidence(
        session, request_id=request.id, min_confidence=min_confidence
    )
    items, n_linked = request_links.linked_items(session, request_id=request.id, limit=item_limit)
    return RequestDetail(
        **RequestRead.model_validate(request).model_dump(),
        evidence=evidence,
        themes=request_links.theme_links_read(session, request_id=request.id),
        items=items,
        n_items_linked=n_linked,
        history=[
            StatusChangeRead.model_validate(c) for c in repository.history(session, request.id)
        ],
    )


def requests_of_account(session: Session, *, account_id: int) -> list[RequestSummary]:
    """The requests an account is waiting on (its customers' items are evidence), by status."""
    page = list_requests(
        session, filters=RequestFilters(account_id=account_id), sort="opportunity", limit=MAX_LIMIT
    )
    return page.requests
