"""Links of requests: themes (confirm, reject; they follow merges and splits) and items.

A theme-request pair has one row whose state is ``suggested``, ``confirmed`` or ``rejected``;
a rejected pair is never suggested again. Links hang on the theme's stable id, so re-analysis
keeps them; :func:`follow_lineage` carries them along the lineage: a theme merged into another
(by a run or by an editor) hands its links to the survivor, which keeps both sets; a theme that
split hands its confirmed links to the child holding most of its items and has every other
child re-suggested against its requests; a split whose parent survives (an editor's split, or a
run's split off a continuing theme) re-suggests the new children. Every carried row names the
theme it came from (``from_theme_id``) and how (``origin``: merge or split).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from voc.customer.models import Customer
from voc.errors import Conflict, InvalidInput, NotFound
from voc.feedback.models import Feedback
from voc.request import evidence as request_evidence
from voc.request import repository
from voc.request.models import FeedbackRequestLink, LinkState, ProductRequest, ThemeRequestLink
from voc.request.schemas import ItemLinkRead, ItemLinkResult, ThemeLinkRead
from voc.theme.curation_models import CurationAction, CurationEvent
from voc.theme.models import LineageKind, Theme, ThemeLineage, ThemeStats, ThemeStatus
from voc.types import utcnow

MAX_ITEMS = 1_000


def _request(session: Session, request_id: int) -> ProductRequest:
    found = session.get(ProductRequest, request_id)
    if found is None:
        raise NotFound(f"request {request_id} does not exist")
    return found


def usable_theme(session: Session, theme_id: int) -> Theme:
    """An active, visible theme, else 404 (unknown) or 409 (retired or hidden)."""
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(f"theme {theme_id} does not exist")
    if theme.status != ThemeStatus.ACTIVE:
        heir = f" (merged into {theme.merged_into_id})" if theme.merged_into_id else ""
        raise Conflict(f"theme_id: theme {theme_id} is retired{heir}; link an active theme")
    if theme.is_hidden:
        raise Conflict(f"theme_id: theme {theme_id} is hidden; unhide it before linking")
    return theme


def _decide(
    session: Session, *, request_id: int, theme_id: int, actor: str, state: LinkState
) -> ThemeRequestLink:
    _request(session, request_id)
    usable_theme(session, theme_id)
    link = repository.theme_link(session, theme_id, request_id)
    now = utcnow()
    if link is None:
        link = ThemeRequestLink(
            theme_id=theme_id, request_id=request_id, origin="editor", created_at=now
        )
        session.add(link)
    link.state, link.decided_by, link.decided_at = state, actor, now
    session.flush()
    request_evidence.refresh_stats(session, request_ids=[request_id])
    return link


def confirm_theme(
    session: Session, *, request_id: int, theme_id: int, actor: str
) -> ThemeRequestLink:
    """Confirm that a theme argues for a request (its confident items become evidence)."""
    return _decide(
        session, request_id=request_id, theme_id=theme_id, actor=actor, state=LinkState.CONFIRMED
    )


def reject_theme(
    session: Session, *, request_id: int, theme_id: int, actor: str
) -> ThemeRequestLink:
    """Reject a theme for a request: the pair is never suggested again."""
    return _decide(
        session, request_id=request_id, theme_id=theme_id, actor=actor, state=LinkState.REJECTED
    )


def link_items(
    session: Session,
    *,
    request_id: int,
    feedback_ids: Sequence[int],
    actor: str,
    scores: dict[int, float] | None = None,
) -> ItemLinkResult:
    """Link feedback items directly to a request (one or many, e.g. ticked search hits)."""
    _request(session, request_id)
    ids = sorted({int(i) for i in feedback_ids})
    if not 1 <= len(ids) <= MAX_ITEMS:
        raise InvalidInput(f"feedback_ids: give between 1 and {MAX_ITEMS} item ids")
    known = set(session.scalars(select(Feedback.id).where(Feedback.id.in_(ids))))
    if missing := [i for i in ids if i not in known]:
        raise NotFound(f"feedback_ids: items do not exist: {missing[:10]}")
    already = repository.linked_item_ids(session, request_id) & set(ids)
    now = utcnow()
    for fid in ids:
        if fid not in already:
            session.add(
                FeedbackRequestLink(
                    feedback_id=fid,
                    request_id=request_id,
                    score=(scores or {}).get(fid),
                    linked_by=actor,
                    linked_at=now,
                )
            )
    session.flush()
    request_evidence.refresh_stats(session, request_ids=[request_id])
    return ItemLinkResult(
        request_id=request_id, linked=len(ids) - len(already), already=len(already), removed=0
    )


def unlink_items(
    session: Session, *, request_id: int, feedback_ids: Sequence[int]
) -> ItemLinkResult:
    """Remove direct links of items to a request."""
    _request(session, request_id)
    ids = sorted({int(i) for i in feedback_ids})
    if not 1 <= len(ids) <= MAX_ITEMS:
        raise InvalidInput(f"feedback_ids: give between 1 and {MAX_ITEMS} item ids")
    result = session.execute(
        delete(FeedbackRequestLink).where(
            FeedbackRequestLink.request_id == request_id, FeedbackRequestLink.feedback_id.in_(ids)
        )
    )
    session.flush()
    request_evidence.refresh_stats(session, request_ids=[request_id])
    removed = int(getattr(result, "rowcount", 0) or 0)
    return ItemLinkResult(request_id=request_id, linked=0, already=0, removed=removed)


def linked_items(
    session: Session, *, request_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[ItemLinkRead], int]:
    """Items linked directly to a request, newest link first, and how many there are."""
    total = session.scalar(select(func.count()).where(FeedbackRequestLink.request_id == request_id))
    rows = session.execute(
        select(FeedbackRequestLink, Feedback, Customer.account_id)
        .join(Feedback, Feedback.id == FeedbackRequestLink.feedback_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .where(FeedbackRequestLink.request_id == request_id)
        .order_by(FeedbackRequestLink.linked_at.desc(), Feedback.id)
        .limit(limit)
        .offset(offset)
    ).all()
    items = [
        ItemLinkRead(
            feedback_id=item.id,
            text=item.text,
            source=item.source,
            score=item.score,
            created_at=item.created_at,
            customer_id=item.customer_id,
            account_id=account_id,
            link_score=link.score,
            linked_by=link.linked_by,
            linked_at=link.linked_at,
        )
        for link, item, account_id in rows
    ]
    return items, int(total or 0)


def _link_read(link: ThemeRequestLink, theme: Theme, size: int | None) -> ThemeLinkRead:
    return ThemeLinkRead(
        theme_id=theme.id,
        theme_label=theme.label,
        theme_status=theme.status,
        theme_is_hidden=theme.is_hidden,
        theme_size=size if size is not None else theme.size,
        state=link.state,
        score=link.score,
        origin=link.origin,
        from_theme_id=link.from_theme_id,
        decided_by=link.decided_by,
        decided_at=link.decided_at,
    )


_STATE_ORDER = {LinkState.CONFIRMED: 0, LinkState.SUGGESTED: 1, LinkState.REJECTED: 2}


def theme_links_read(session: Session, *, request_id: int) -> list[ThemeLinkRead]:
    """Theme links of a request: confirmed, then suggested (best first), then rejected."""
    rows = list(
        session.execute(
            select(ThemeRequestLink, Theme, ThemeStats.n_items)
            .join(Theme, Theme.id == ThemeRequestLink.theme_id)
            .outerjoin(ThemeStats, ThemeStats.theme_id == Theme.id)
            .where(ThemeRequestLink.request_id == request_id)
        ).all()
    )
    rows.sort(key=lambda r: (_STATE_ORDER[LinkState(r[0].state)], -(r[0].score or 0), r[1].id))
    return [_link_read(link, theme, size) for link, theme, size in rows]


def requests_of_theme(
    session: Session, *, theme_id: int
) -> list[tuple[ThemeRequestLink, ProductRequest]]:
    """Confirmed and suggested requests of a theme: confirmed first, then by score."""
    if session.get(Theme, theme_id) is None:
        raise NotFound(f"theme {theme_id} does not exist")
    follow_lineage(session)
    rows = session.execute(
        select(ThemeRequestLink, ProductRequest)
        .join(ProductRequest, ProductRequest.id == ThemeRequestLink.request_id)
        .where(ThemeRequestLink.theme_id == theme_id, ThemeRequestLink.state != LinkState.REJECTED)
    ).all()
    pairs = [(link, request) for link, request in rows]
    pairs.sort(key=lambda p: (_STATE_ORDER[LinkState(p[0].state)], -(p[0].score or 0), p[1].id))
    return pairs


# --- lineage ---------------------------------------------------------------------------------


def _heir(session: Session, theme: Theme) -> Theme | None:
    seen = {theme.id}
    current = theme
    while current.merged_into_id is not None and current.merged_into_id not in seen:
        nxt = session.get(Theme, current.merged_into_id)
        if nxt is None:
            return None
        if nxt.status == ThemeStatus.ACTIVE:
            return nxt
        seen.add(nxt.id)
        current = nxt
    return None


def _split_pairs(session: Session) -> list[tuple[int, int]]:
    """(parent, child) of every split: a run's lineage and editors' splits not undone."""
    pairs: list[tuple[int, int]] = []
    for child, related in session.execute(
        select(ThemeLineage.theme_id, ThemeLineage.related_theme_ids).where(
            ThemeLineage.kind == LineageKind.SPLIT
        )
    ):
        pairs.extend((int(p), int(child)) for p in related or [])
    for theme_ids, details in session.execute(
        select(CurationEvent.theme_ids, CurationEvent.details).where(
            CurationEvent.action == CurationAction.SPLIT, CurationEvent.is_undone.is_(False)
        )
    ):
        if theme_ids:
            pairs.extend(
                (int(theme_ids[0]), int(c)) for c in (details or {}).get("created_theme_ids", [])
            )
    return pairs


def _size(session: Session, theme_id: int) -> int:
    stats = session.get(ThemeStats, theme_id)
    if stats is not None:
        return stats.n_items
    theme = session.get(Theme, theme_id)
    return theme.size if theme is not None else 0


def _resuggest_score(session: Session, request_id: int, theme_id: int) -> float | None:
    request, theme = session.get(ProductRequest, request_id), session.get(Theme, theme_id)
    if request is None or theme is None or request.embedding is None or theme.centroid is None:
        return None
    a = np.frombuffer(request.embedding, dtype=np.float32)
    b = np.frombuffer(theme.centroid, dtype=np.float32)
    if a.shape != b.shape:
        return None
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return round(float(a @ b) / norm, 4) if norm else None


def _carry(
    session: Session, *, link: ThemeRequestLink, to_theme_id: int, origin: str, state: str
) -> None:
    existing = repository.theme_link(session, to_theme_id, link.request_id)
    if existing is None:
        session.add(
            ThemeRequestLink(
                theme_id=to_theme_id,
                request_id=link.request_id,
                state=state,
                score=link.score
                if state == LinkState.CONFIRMED
                else _resuggest_score(session, link.request_id, to_theme_id) or link.score,
                origin=origin,
                from_theme_id=link.theme_id,
                decided_by=link.decided_by if state == LinkState.CONFIRMED else None,
                decided_at=link.decided_at if state == LinkState.CONFIRMED else None,
                created_at=utcnow(),
            )
        )
    elif existing.state == LinkState.SUGGESTED and state == LinkState.CONFIRMED:
        existing.state, existing.origin, existing.from_theme_id = state, origin, link.theme_id
        existing.decided_by, existing.decided_at = link.decided_by, link.decided_at
    session.flush()


def themes_changed(session: Session, *, theme_ids: Iterable[int] | None = None) -> int:
    """After theme stats were written (a run, a curation step, an import): keep requests current.

    Carries links along merges and splits, then refreshes the stored evidence of the requests
    confirming those themes (all requests when None); returns the requests refreshed.
    """
    follow_lineage(session)
    return request_evidence.refresh_for_themes(session, theme_ids=theme_ids)


def follow_lineage(session: Session) -> int:
    """Carry links along merges and splits (idempotent); returns the rows written or moved."""
    changed = 0
    touched: set[int] = set()
    pairs = _split_pairs(session)
    children: dict[int, list[int]] = {}
    for parent, child in pairs:
        children.setdefault(parent, []).append(child)
    stranded = session.execute(
        select(ThemeRequestLink, Theme)
        .join(Theme, Theme.id == ThemeRequestLink.theme_id)
        .where(Theme.status == ThemeStatus.RETIRED, ThemeRequestLink.state != LinkState.REJECTED)
        .order_by(ThemeRequestLink.id)
    ).all()
    for link, theme in stranded:
        heir = _heir(session, theme)
        active_children = [
            c
            for c in children.get(theme.id, [])
            if (t := session.get(Theme, c)) is not None and t.status == ThemeStatus.ACTIVE
        ]
        if heir is not None:
            _carry(session, link=link, to_theme_id=heir.id, origin="merge", state=link.state)
        elif active_children:
            biggest = max(active_children, key=lambda c: (_size(session, c), -c))
            for child in active_children:
                state = link.state if child == biggest else LinkState.SUGGESTED
                _carry(session, link=link, to_theme_id=child, origin="split", state=state)
        else:
            continue  # retired without an heir: the link stays, shown as retired
        touched.add(link.request_id)
        session.delete(link)
        changed += 1
    changed += _resuggest_children(session, children)
    session.flush()
    if touched:
        request_evidence.refresh_stats(session, request_ids=sorted(touched))
    return changed


def _resuggest_children(session: Session, children: dict[int, list[int]]) -> int:
    """Suggest each active child of a split its active parent's confirmed requests (once)."""
    if not children:
        return 0
    links = list(
        session.scalars(
            select(ThemeRequestLink)
            .join(Theme, Theme.id == ThemeRequestLink.theme_id)
            .where(
                ThemeRequestLink.theme_id.in_(list(children)),
                ThemeRequestLink.state == LinkState.CONFIRMED,
                Theme.status == ThemeStatus.ACTIVE,
            )
        )
    )
    if not links:
        return 0
    child_ids = sorted({c for ids in children.values() for c in ids})
    active = set(
        session.scalars(
            select(Theme.id).where(Theme.id.in_(child_ids), Theme.status == ThemeStatus.ACTIVE)
        )
    )
    existing = {
        (int(t), int(r))
        for t, r in session.execute(
            select(ThemeRequestLink.theme_id, ThemeRequestLink.request_id).where(
                ThemeRequestLink.theme_id.in_(child_ids)
            )
        )
    }
    changed = 0
    for link in links:
        for child in children[link.theme_id]:
            if child in active and (child, link.request_id) not in existing:
                _carry(session, link=link, to_theme_id=child, origin="split",
                       state=LinkState.SUGGESTED)  # fmt: skip
                existing.add((child, link.request_id))
                changed += 1
    return changed
