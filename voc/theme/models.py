"""Themes (machine and human fields apart), assignments, runs, lineage and stored stats."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from voc.db import Base
from voc.types import JsonType, UtcDateTime, utcnow


class ThemeStatus(StrEnum):
    """Machine lifecycle of a theme; a retired id is never reused."""

    ACTIVE = "active"
    RETIRED = "retired"


class RunStatus(StrEnum):
    """Lifecycle of an analysis run."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class LineageKind(StrEnum):
    """What happened to a theme in a run."""

    CONTINUED = "continued"
    SPLIT = "split"
    MERGED = "merged"
    NEW = "new"
    RETIRED = "retired"


class AssignmentMethod(StrEnum):
    """How an item got its theme."""

    CLUSTER = "cluster"
    NEAREST = "nearest"
    INCREMENTAL = "incremental"
    MANUAL = "manual"


class AnalysisRun(Base):
    """One analysis: parameters, model, seed, data fingerprint, timings, coverage."""

    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.PENDING)
    trigger: Mapped[str] = mapped_column(String(32), default="cli")
    params: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    model_id: Mapped[str | None] = mapped_column(String(255))
    sentiment_model_id: Mapped[str | None] = mapped_column(String(255))
    seed: Mapped[int] = mapped_column(Integer, default=42)
    data_fingerprint: Mapped[str | None] = mapped_column(String(64))
    n_items: Mapped[int] = mapped_column(Integer, default=0)
    n_assigned: Mapped[int] = mapped_column(Integer, default=0)
    n_themes: Mapped[int] = mapped_column(Integer, default=0)
    coverage: Mapped[float | None] = mapped_column(Float)
    timings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Theme(Base):
    """A theme with a stable id; machine fields are rewritten by runs, human fields never."""

    __tablename__ = "themes"
    __table_args__ = (Index("ix_themes_status", "status"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=ThemeStatus.ACTIVE)
    # machine fields (each run may rewrite them)
    machine_label: Mapped[str] = mapped_column(String(255))
    keywords: Mapped[list[str]] = mapped_column(JsonType, default=list)
    representative_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id"))
    retired_run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    # the parent theme this theme sits under (each run regroups, keeping a person's choice)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("theme_parents.id"), index=True)
    # human fields (only people write them; runs carry them over)
    human_label: Mapped[str | None] = mapped_column(String(255))
    human_description: Mapped[str | None] = mapped_column(Text)
    # a person put this theme under this parent: runs keep it there
    human_parent_id: Mapped[int | None] = mapped_column(ForeignKey("theme_parents.id"))
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    human_edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    human_edited_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    @property
    def label(self) -> str:
        """The name people see: a human rename wins over the machine label."""
        return self.human_label or self.machine_label


class ThemeParent(Base):
    """A parent theme grouping fine themes ("Billing" over "Double charge after plan change").

    Stable id and lineage like a theme: each run regroups the themes (nlp.hierarchy) and
    matches the groups to the stored parents by their child themes; machine fields are
    rewritten by runs, the human label never.
    """

    __tablename__ = "theme_parents"
    __table_args__ = (Index("ix_theme_parents_status", "status"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=ThemeStatus.ACTIVE)
    machine_label: Mapped[str] = mapped_column(String(255))
    keywords: Mapped[list[str]] = mapped_column(JsonType, default=list)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id"))
    retired_run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("theme_parents.id"))
    human_label: Mapped[str | None] = mapped_column(String(255))
    human_edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    human_edited_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    @property
    def label(self) -> str:
        """The name people see: a human rename wins over the machine label."""
        return self.human_label or self.machine_label


class ThemeParentLineage(Base):
    """What a run did to a parent theme: continued, split, merged, new or retired."""

    __tablename__ = "theme_parent_lineage"
    __table_args__ = (Index("ix_theme_parent_lineage_run_id", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int] = mapped_column(ForeignKey("theme_parents.id"))
    related_parent_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    theme_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)


class ThemeAssignment(Base):
    """The theme of one feedback item (at most one), with a confidence."""

    __tablename__ = "theme_assignments"
    __table_args__ = (
        # a theme's items newest first, and its most confident items, without a sort
        Index(
            "ix_theme_assignments_theme_created", "theme_id", "feedback_created_at", "feedback_id"
        ),
        Index("ix_theme_assignments_theme_confidence", "theme_id", "confidence"),
    )

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    confidence: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id"))
    is_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # a copy of feedback.created_at (kept in step by every writer) so that the items of one
    # theme page newest first from an index, however big the theme
    feedback_created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ThemeLineage(Base):
    """What a run did to a theme: continued, split, merged, new or retired."""

    __tablename__ = "theme_lineage"
    __table_args__ = (Index("ix_theme_lineage_run_id", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    related_theme_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)


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
    # {kind: count} over items with a kind (request, bug, praise, question, other)
    kinds: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict, server_default="{}")
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
