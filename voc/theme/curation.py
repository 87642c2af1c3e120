"""Human curation of themes: rename, hide, move items, merge, split, undo; every step recorded.

Parent themes too: move a theme under another parent, rename a parent, merge parents.
Human fields (``human_label``, ``is_hidden``, ``human_parent_id``) and manual assignments
survive re-analysis; each step writes a :class:`CurationEvent` holding the before-state, so
``undo_last`` can restore it. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from voc.errors import Conflict, InvalidInput, NotFound
from voc.feedback.models import Feedback
from voc.theme import repository
from voc.theme import stats as theme_stats
from voc.theme.curation_models import CurationAction, CurationEvent
from voc.theme.models import AssignmentMethod, Theme, ThemeAssignment, ThemeParent, ThemeStatus
from voc.theme.schemas import CurationEventRead
from voc.theme.split import split_by_ids, split_by_kmeans
from voc.types import utcnow

MAX_MOVE = 10_000
CHUNK = 10_000  # bound the bind parameters of one IN (...) list


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]


def _active_theme(session: Session, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(f"theme {theme_id} does not exist")
    if theme.status != ThemeStatus.ACTIVE:
        raise Conflict(f"theme {theme_id} is {theme.status}; only active themes can be curated")
    return theme


def _touch(themes: Iterable[Theme], actor: str) -> None:
    now = utcnow()
    for theme in themes:
        theme.human_edited_at, theme.human_edited_by = now, actor


def _record(
    session: Session,
    *,
    action: CurationAction,
    actor: str,
    theme_ids: Sequence[int],
    details: dict[str, Any],
    before: dict[str, Any],
) -> CurationEvent:
    event = CurationEvent(
        action=action.value,
        actor=actor,
        theme_ids=list(theme_ids),
        details=details,
        before=before,
        is_undone=False,
    )
    session.add(event)
    session.flush()
    return event


def snapshot_assignments(session: Session, feedback_ids: Sequence[int]) -> list[list[Any]]:
    """[feedback id, theme id or None, confidence, method, run id, is_manual] per item."""
    found = {
        a.feedback_id: a
        for chunk in _chunks(feedback_ids)
        for a in session.scalars(
            select(ThemeAssignment).where(ThemeAssignment.feedback_id.in_(chunk))
        )
    }
    out: list[list[Any]] = []
    for fid in feedback_ids:
        a = found.get(fid)
        if a is None:
            out.append([fid, None, None, None, None, None])
        else:
            out.append([fid, a.theme_id, a.confidence, a.method, a.run_id, a.is_manual])
    return out


def restore_assignments(session: Session, snapshot: Sequence[Sequence[Any]]) -> set[int]:
    """Put assignments back as recorded; returns the themes involved."""
    ids = [int(row[0]) for row in snapshot]
    current: set[int] = set()
    for chunk in _chunks(ids):
        current |= set(
            session.scalars(
                select(ThemeAssignment.theme_id).where(ThemeAssignment.feedback_id.in_(chunk))
            )
        )
        session.execute(delete(ThemeAssignment).where(ThemeAssignment.feedback_id.in_(chunk)))
    rows = [
        {
            "feedback_id": int(fid),
            "theme_id": int(tid),
            "confidence": float(conf),
            "method": method,
            "run_id": run_id,
            "is_manual": bool(manual),
            "assigned_at": utcnow(),
        }
        for fid, tid, conf, method, run_id, manual in snapshot
        if tid is not None
    ]
    repository.insert_assignments(session, rows)
    return current | {int(r["theme_id"]) for r in rows}


def assign_manually(session: Session, feedback_ids: Sequence[int], theme_id: int) -> None:
    """Assign items to a theme as manual (never overwritten by a run)."""
    for chunk in _chunks(feedback_ids):
        session.execute(delete(ThemeAssignment).where(ThemeAssignment.feedback_id.in_(chunk)))
    now = utcnow()
    repository.insert_assignments(
        session,
        (
            {
                "feedback_id": fid,
                "theme_id": theme_id,
                "confidence": 1.0,
                "method": AssignmentMethod.MANUAL.value,
                "run_id": None,
                "is_manual": True,
                "assigned_at": now,
            }
            for fid in feedback_ids
        ),
    )


def rename(
    session: Session, *, theme_id: int, label: str, actor: str, description: str | None = None
) -> Theme:
    """Give a theme a human label (and optionally a description)."""
    theme = _active_theme(session, theme_id)
    label = " ".join(label.split())
    if not 1 <= len(label) <= 255:
        raise InvalidInput("label: between 1 and 255 characters")
    before = {"human_label": theme.human_label, "human_description": theme.human_description}
    theme.human_label = label
    if description is not None:
        theme.human_description = description.strip() or None
    _touch([theme], actor)
    _record(
        session,
        action=CurationAction.RENAME,
        actor=actor,
        theme_ids=[theme.id],
        details={"label": label, "description": description},
        before=before,
    )
    return theme


def _set_hidden(session: Session, theme_id: int, actor: str, *, hidden: bool) -> Theme:
    theme = _active_theme(session, theme_id)
    before = {"is_hidden": theme.is_hidden}
    theme.is_hidden = hidden
    _touch([theme], actor)
    action = CurationAction.HIDE if hidden else CurationAction.UNHIDE
    _record(session, action=action, actor=actor, theme_ids=[theme.id], details={}, before=before)
    return theme


def hide(session: Session, *, theme_id: int, actor: str) -> Theme:
    """Hide a theme from the overview (it keeps its items and survives re-analysis)."""
    return _set_hidden(session, theme_id, actor, hidden=True)


def unhide(session: Session, *, theme_id: int, actor: str) -> Theme:
    """Show a hidden theme again."""
    return _set_hidden(session, theme_id, actor, hidden=False)


def move_items(
    session: Session, *, feedback_ids: Sequence[int], to_theme_id: int, actor: str
) -> Theme:
    """Move items to a theme as manual assignments."""
    target = _active_theme(session, to_theme_id)
    ids = sorted({int(i) for i in feedback_ids})
    if not ids or len(ids) > MAX_MOVE:
        raise InvalidInput(f"feedback_ids: give between 1 and {MAX_MOVE} item ids")
    known = set(session.scalars(select(Feedback.id).where(Feedback.id.in_(ids))))
    if missing := [i for i in ids if i not in known]:
        raise NotFound(f"feedback items do not exist: {missing[:10]}")
    snapshot = snapshot_assignments(session, ids)
    assign_manually(session, ids, target.id)
    touched = {int(r[1]) for r in snapshot if r[1] is not None} | {target.id}
    _touch([target], actor)
    _record(
        session,
        action=CurationAction.MOVE_ITEMS,
        actor=actor,
        theme_ids=sorted(touched),
        details={"feedback_ids": ids, "to_theme_id": target.id},
        before={"assignments": snapshot},
    )
    theme_stats.refresh(session, theme_ids=touched)
    return target


def merge(session: Session, *, source_ids: Sequence[int], into_id: int, actor: str) -> Theme:
    """Merge themes into ``into_id``: their items move there (manual), they retire."""
    sources = [_active_theme(session, i) for i in sorted(set(source_ids))]
    if not sources:
        raise InvalidInput("source_ids: name at least one theme to merge")
    if into_id in {s.id for s in sources}:
        raise InvalidInput("into_id: a theme cannot be merged into itself")
    target = _active_theme(session, into_id)
    item_ids = list(
        session.scalars(
            select(ThemeAssignment.feedback_id).where(
                ThemeAssignment.theme_id.in_([s.id for s in sources])
            )
        )
    )
    before = {
        "assignments": snapshot_assignments(session, item_ids),
        "themes": [{"id": s.id, "status": s.status, "merged_into_id": s.merged_into_id}
                   for s in sources],
    }  # fmt: skip
    if item_ids:
        assign_manually(session, item_ids, target.id)
    for source in sources:
        source.status, source.merged_into_id = ThemeStatus.RETIRED, target.id
    _touch([*sources, target], actor)
    _record(
        session,
        action=CurationAction.MERGE,
        actor=actor,
        theme_ids=[*(s.id for s in sources), target.id],
        details={"source_ids": [s.id for s in sources], "into_id": target.id},
        before=before,
    )
    theme_stats.refresh(session, theme_ids=[*(s.id for s in sources), target.id])
    return target


def split(
    session: Session,
    *,
    theme_id: int,
    actor: str,
    k: int | None = None,
    feedback_ids: Sequence[int] | None = None,
    seed: int,
) -> list[Theme]:
    """Split a theme: into ``k`` parts by re-clustering, or by moving chosen items out."""
    theme = _active_theme(session, theme_id)
    if (k is None) == (feedback_ids is None):
        raise InvalidInput("give either k (re-cluster) or feedback_ids (move out), not both")
    members = list(
        session.scalars(
            select(ThemeAssignment.feedback_id).where(ThemeAssignment.theme_id == theme.id)
        )
    )
    snapshot = snapshot_assignments(session, members)
    if feedback_ids is not None:
        created = split_by_ids(session, theme=theme, members=members, chosen=feedback_ids)
    else:
        created = split_by_kmeans(session, theme=theme, members=members, k=k or 2, seed=seed)
    for new_theme, ids in created:
        assign_manually(session, ids, new_theme.id)
    new_themes = [t for t, _ in created]
    for new_theme in new_themes:  # a part of a theme sits under the same parent
        new_theme.parent_id = theme.parent_id
    _touch([theme, *new_themes], actor)
    _record(
        session,
        action=CurationAction.SPLIT,
        actor=actor,
        theme_ids=[theme.id, *(t.id for t in new_themes)],
        details={"k": k, "feedback_ids": list(feedback_ids or []),
                 "created_theme_ids": [t.id for t in new_themes]},
        before={"assignments": snapshot},
    )  # fmt: skip
    theme_stats.refresh(session, theme_ids=[theme.id, *(t.id for t in new_themes)])
    return new_themes


def _active_parent(session: Session, parent_id: int) -> ThemeParent:
    parent = session.get(ThemeParent, parent_id)
    if parent is None:
        raise NotFound(f"parent theme {parent_id} does not exist")
    if parent.status != ThemeStatus.ACTIVE:
        raise Conflict(
            f"parent theme {parent_id} is {parent.status}; only active parents can be curated"
        )
    return parent


def _touch_parents(parents: Iterable[ThemeParent], actor: str) -> None:
    now = utcnow()
    for parent in parents:
        parent.human_edited_at, parent.human_edited_by = now, actor


def _theme_state(theme: Theme) -> dict[str, Any]:
    return {"id": theme.id, "parent_id": theme.parent_id, "human_parent_id": theme.human_parent_id}


def move_theme(session: Session, *, theme_id: int, parent_id: int, actor: str) -> Theme:
    """Put a theme under another parent; re-analysis keeps it there."""
    theme = _active_theme(session, theme_id)
    parent = _active_parent(session, parent_id)
    before = {"themes": [_theme_state(theme)]}
    theme.parent_id = theme.human_parent_id = parent.id
    _touch([theme], actor)
    _touch_parents([parent], actor)
    _record(
        session,
        action=CurationAction.MOVE_THEME,
        actor=actor,
        theme_ids=[theme.id],
        details={"parent_id": parent.id, "from_parent_id": before["themes"][0]["parent_id"]},
        before=before,
    )
    return theme


def rename_parent(session: Session, *, parent_id: int, label: str, actor: str) -> ThemeParent:
    """Give a parent theme a human label (it survives re-analysis)."""
    parent = _active_parent(session, parent_id)
    label = " ".join(label.split())
    if not 1 <= len(label) <= 255:
        raise InvalidInput("label: between 1 and 255 characters")
    before = {"parents": [{"id": parent.id, "human_label": parent.human_label}]}
    parent.human_label = label
    _touch_parents([parent], actor)
    _record(
        session,
        action=CurationAction.RENAME_PARENT,
        actor=actor,
        theme_ids=[],
        details={"parent_id": parent.id, "label": label},
        before=before,
    )
    return parent


def merge_parents(
    session: Session, *, source_ids: Sequence[int], into_id: int, actor: str
) -> ThemeParent:
    """Merge parents into ``into_id``: their themes move there, they retire.

    Runs keep the merged group: every theme of the merged parent (the target's own included)
    is placed there as if a person had moved it.
    """
    sources = [_active_parent(session, i) for i in sorted(set(source_ids))]
    if not sources:
        raise InvalidInput("source_ids: name at least one parent theme to merge")
    if into_id in {s.id for s in sources}:
        raise InvalidInput("into_id: a parent theme cannot be merged into itself")
    target = _active_parent(session, into_id)
    ids = [s.id for s in sources]
    merged = [*ids, target.id]
    themes = list(
        session.scalars(
            select(Theme)
            .where(Theme.status == ThemeStatus.ACTIVE)
            .where(Theme.parent_id.in_(merged) | Theme.human_parent_id.in_(merged))
            .order_by(Theme.id)
        )
    )
    before = {
        "themes": [_theme_state(t) for t in themes],
        "parents": [{"id": s.id, "status": s.status, "merged_into_id": s.merged_into_id}
                    for s in sources],
    }  # fmt: skip
    for theme in themes:
        theme.parent_id = theme.human_parent_id = target.id
    for source in sources:
        source.status, source.merged_into_id = ThemeStatus.RETIRED, target.id
    _touch(themes, actor)
    _touch_parents([*sources, target], actor)
    _record(
        session,
        action=CurationAction.MERGE_PARENTS,
        actor=actor,
        theme_ids=[t.id for t in themes],
        details={"source_ids": ids, "into_id": target.id},
        before=before,
    )
    return target


def _restore_parents(session: Session, before: dict[str, Any]) -> None:
    for state in before.get("parents", []):
        parent = session.get(ThemeParent, state["id"])
        if parent is not None:
            for field, value in state.items():
                if field != "id":
                    setattr(parent, field, value)
    for state in before.get("themes", []):
        theme = session.get(Theme, state["id"])
        if theme is not None:
            theme.parent_id, theme.human_parent_id = state["parent_id"], state["human_parent_id"]


def _restore(session: Session, event: CurationEvent) -> set[int]:
    before = event.before
    touched = set(event.theme_ids)
    if event.action in {
        CurationAction.MOVE_THEME,
        CurationAction.RENAME_PARENT,
        CurationAction.MERGE_PARENTS,
    }:
        _restore_parents(session, before)
        return touched
    if event.action in {CurationAction.RENAME, CurationAction.HIDE, CurationAction.UNHIDE}:
        theme = session.get(Theme, event.theme_ids[0])
        if theme is None:
            raise Conflict("the theme of this edit no longer exists")
        for field, value in before.items():
            setattr(theme, field, value)
        return touched
    if "assignments" in before:
        touched |= restore_assignments(session, before["assignments"])
    for state in before.get("themes", []):
        theme = session.get(Theme, state["id"])
        if theme is not None:
            theme.status, theme.merged_into_id = state["status"], state["merged_into_id"]
    for created_id in event.details.get("created_theme_ids", []):
        created = session.get(Theme, created_id)
        if created is not None:  # retired, never deleted: ids are never reused
            created.status = ThemeStatus.RETIRED
    return touched


def undo_last(session: Session, *, actor: str) -> CurationEvent:
    """Undo the most recent curation step not undone yet; records an ``undo`` event."""
    event = session.scalars(
        select(CurationEvent)
        .where(CurationEvent.is_undone.is_(False), CurationEvent.action != CurationAction.UNDO)
        .order_by(CurationEvent.id.desc())
        .limit(1)
    ).first()
    if event is None:
        raise Conflict("there is no curation step to undo")
    touched = _restore(session, event)
    undo = _record(
        session,
        action=CurationAction.UNDO,
        actor=actor,
        theme_ids=sorted(touched),
        details={"undone_event_id": event.id, "undone_action": event.action},
        before={},
    )
    event.is_undone, event.undone_by_id = True, undo.id
    session.flush()
    theme_stats.refresh(session, theme_ids=touched)
    return event


def history(
    session: Session, *, theme_id: int | None = None, limit: int = 50
) -> list[CurationEventRead]:
    """Recorded curation steps, newest first (of one theme when ``theme_id`` is given)."""
    query = select(CurationEvent).order_by(CurationEvent.id.desc())
    events = session.scalars(query.limit(limit if theme_id is None else 2_000)).all()
    if theme_id is not None:
        events = [e for e in events if theme_id in (e.theme_ids or [])][:limit]
    return [to_read(e) for e in events]


def to_read(event: CurationEvent) -> CurationEventRead:
    """The read schema of a recorded step."""
    return CurationEventRead(
        id=event.id,
        action=event.action,
        actor=event.actor,
        theme_ids=list(event.theme_ids or []),
        details=dict(event.details or {}),
        is_undone=event.is_undone,
        created_at=event.created_at,
    )
