"""Curation events: who, when, what, and the before-state that undo restores."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from voc.db import Base
from voc.types import JsonType, UtcDateTime, utcnow


class CurationAction(StrEnum):
    """The kinds of human edit."""

    RENAME = "rename"
    HIDE = "hide"
    UNHIDE = "unhide"
    MERGE = "merge"
    SPLIT = "split"
    MOVE_ITEMS = "move_items"
    MOVE_THEME = "move_theme"  # under another parent theme
    RENAME_PARENT = "rename_parent"
    MERGE_PARENTS = "merge_parents"
    UNDO = "undo"


class CurationEvent(Base):
    """One human edit of themes; ``before`` holds what undo needs to restore."""

    __tablename__ = "curation_events"
    __table_args__ = (Index("ix_curation_events_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(320))
    theme_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    before: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    is_undone: Mapped[bool] = mapped_column(Boolean, default=False)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("curation_events.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
