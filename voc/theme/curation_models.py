"""Curation events (who, when, what, before-state for undo) and precomputed theme stats."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
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


class ThemeStats(Base):
    """Per-theme aggregates, refreshed after each run and curation: reads stay fast at 1M."""

    __tablename__ = "theme_stats"

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    )
    n_items: Mapped[int] = mapped_column(Integer, default=0)
    n_positive: Mapped[int] = mapped_column(Integer, default=0)
    n_negative: Mapped[int] = mapped_column(Integer, default=0)
    n_neutral: Mapped[int] = mapped_column(Integer, default=0)
    n_mixed: Mapped[int] = mapped_column(Integer, default=0)
    n_promoters: Mapped[int] = mapped_column(Integer, default=0)
    n_passives: Mapped[int] = mapped_column(Integer, default=0)
    n_detractors: Mapped[int] = mapped_column(Integer, default=0)
    # sum and count of item sentiment scores (p_positive - p_negative): mean = average score
    sentiment_sum: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    n_sentiment: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # [[iso week start, count], ...] oldest first
    weekly: Mapped[list[list[Any]]] = mapped_column(JsonType, default=list)
    # {segment: count}; "unknown" for items without an account segment
    segments: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
