"""Curation of themes: rename, merge, split, hide/unhide, move items, undo, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import BodyId, Curator, PathId, QueryId, Reader, SessionDep, SettingsDep
from voc.theme import curation
from voc.theme import queries as theme_queries
from voc.theme.schemas import CurationEventRead, ParentDetail, ThemeDetail, ThemeSummary

router = APIRouter(tags=["curation"])


class RenameIn(BaseModel):
    """A human label (and optional description) for a theme."""

    label: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=5_000)


class MergeIn(BaseModel):
    """Merge this theme into ``into_id``."""

    into_id: BodyId


class SplitIn(BaseModel):
    """Either ``k`` (re-cluster into k parts) or ``feedback_ids`` (move these out)."""

    k: int | None = Field(default=None, ge=2, le=10)
    feedback_ids: list[BodyId] | None = Field(default=None, min_length=1, max_length=10_000)


class MoveIn(BaseModel):
    """Move these items into ``to_theme_id`` (manual assignments)."""

    feedback_ids: list[BodyId] = Field(min_length=1, max_length=10_000)
    to_theme_id: BodyId


class MoveThemeIn(BaseModel):
    """Put the theme under the parent theme ``parent_id``."""

    parent_id: BodyId


class RenameParentIn(BaseModel):
    """A human label for a parent theme."""

    label: str = Field(min_length=1, max_length=255)


class SplitOut(BaseModel):
    """The themes a split created."""

    created: list[ThemeSummary]


@router.patch("/themes/{theme_id}", response_model=ThemeDetail)
def rename(session: SessionDep, user: Curator, theme_id: PathId, body: RenameIn) -> ThemeDetail:
    """Rename a theme (the human label survives re-analysis)."""
    curation.rename(
        session, theme_id=theme_id, label=body.label, description=body.description, actor=user.email
    )
    return theme_queries.get_detail(session, theme_id)


@router.post("/themes/{theme_id}/merge", response_model=ThemeDetail)
def merge(session: SessionDep, user: Curator, theme_id: PathId, body: MergeIn) -> ThemeDetail:
    """Merge this theme into another; its items move there and it retires."""
    target = curation.merge(session, source_ids=[theme_id], into_id=body.into_id, actor=user.email)
    return theme_queries.get_detail(session, target.id)


@router.post("/themes/{theme_id}/split", response_model=SplitOut)
def split(
    session: SessionDep, settings: SettingsDep, user: Curator, theme_id: PathId, body: SplitIn
) -> SplitOut:
    """Split by re-clustering into ``k`` parts, or by moving chosen items into a new theme."""
    created = curation.split(
        session,
        theme_id=theme_id,
        k=body.k,
        feedback_ids=body.feedback_ids,
        actor=user.email,
        seed=settings.nlp.seed,
    )
    listing = theme_queries.list_themes(session, include_hidden=True)
    ids = {t.id for t in created}
    return SplitOut(created=[t for t in listing.themes if t.id in ids])


@router.post("/themes/{theme_id}/hide", response_model=ThemeDetail)
def hide(session: SessionDep, user: Curator, theme_id: PathId) -> ThemeDetail:
    """Hide a theme from the overview."""
    curation.hide(session, theme_id=theme_id, actor=user.email)
    return theme_queries.get_detail(session, theme_id)


@router.post("/themes/{theme_id}/unhide", response_model=ThemeDetail)
def unhide(session: SessionDep, user: Curator, theme_id: PathId) -> ThemeDetail:
    """Show a hidden theme again."""
    curation.unhide(session, theme_id=theme_id, actor=user.email)
    return theme_queries.get_detail(session, theme_id)


@router.post("/curation/move", response_model=ThemeDetail)
def move_items(session: SessionDep, user: Curator, body: MoveIn) -> ThemeDetail:
    """Move items between themes (manual assignments are kept by every re-analysis)."""
    target = curation.move_items(
        session, feedback_ids=body.feedback_ids, to_theme_id=body.to_theme_id, actor=user.email
    )
    return theme_queries.get_detail(session, target.id)


@router.post("/themes/{theme_id}/parent", response_model=ThemeDetail)
def move_theme(
    session: SessionDep, user: Curator, theme_id: PathId, body: MoveThemeIn
) -> ThemeDetail:
    """Put a theme under another parent theme (re-analysis keeps it there)."""
    curation.move_theme(session, theme_id=theme_id, parent_id=body.parent_id, actor=user.email)
    return theme_queries.get_detail(session, theme_id)


@router.patch("/theme-parents/{parent_id}", response_model=ParentDetail)
def rename_parent(
    session: SessionDep, user: Curator, parent_id: PathId, body: RenameParentIn
) -> ParentDetail:
    """Rename a parent theme (the human label survives re-analysis)."""
    curation.rename_parent(session, parent_id=parent_id, label=body.label, actor=user.email)
    return theme_queries.get_parent_detail(session, parent_id)


@router.post("/theme-parents/{parent_id}/merge", response_model=ParentDetail)
def merge_parents(
    session: SessionDep, user: Curator, parent_id: PathId, body: MergeIn
) -> ParentDetail:
    """Merge this parent theme into another; its themes move there and it retires."""
    target = curation.merge_parents(
        session, source_ids=[parent_id], into_id=body.into_id, actor=user.email
    )
    return theme_queries.get_parent_detail(session, target.id)


@router.post("/curation/undo", response_model=CurationEventRead)
def undo(session: SessionDep, user: Curator) -> CurationEventRead:
    """Undo the last curation step; returns the step that was undone."""
    return curation.to_read(curation.undo_last(session, actor=user.email))


@router.get("/curation/history", response_model=list[CurationEventRead])
def history(
    session: SessionDep,
    _user: Reader,
    theme_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[CurationEventRead]:
    """Every recorded curation step, newest first (who, when, what)."""
    return curation.history(session, theme_id=theme_id, limit=limit)
