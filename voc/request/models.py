"""Product requests, their status history, and their links to themes and feedback items."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from voc.db import Base
from voc.types import JsonType, UtcDateTime, utcnow


class RequestStatus(StrEnum):
    """Where a request stands on the roadmap."""

    OPEN = "open"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SHIPPED = "shipped"
    DECLINED = "declined"


class LinkState(StrEnum):
    """A theme-to-request link: suggested by the machine, confirmed or rejected by an editor."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class ProductRequest(Base):
    """A roadmap item (often a tracker issue); ``external_key`` makes imports idempotent."""

    __tablename__ = "product_requests"
    __table_args__ = (Index("ix_product_requests_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN)
    external_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    release_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(320))
    updated_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the embedding of title + description (for suggestions), and what it was made from
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str | None] = mapped_column(String(255))
    embedding_hash: Mapped[str | None] = mapped_column(String(64))


class RequestStatusChange(Base):
    """One status change of a request: who, when, from, to, and a note."""

    __tablename__ = "request_status_changes"
    __table_args__ = (Index("ix_request_status_changes_request_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("product_requests.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(320))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ThemeRequestLink(Base):
    """A theme arguing for a request; one row per pair, so a rejected pair stays rejected."""

    __tablename__ = "theme_request_links"
    __table_args__ = (
        UniqueConstraint("theme_id", "request_id", name="uq_theme_request_links_pair"),
        Index("ix_theme_request_links_request_id", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("product_requests.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=LinkState.SUGGESTED)
    score: Mapped[float | None] = mapped_column(Float)
    # how the row came to be: "suggestion", "editor", "merge" or "split" (lineage)
    origin: Mapped[str] = mapped_column(String(16), default="suggestion")
    from_theme_id: Mapped[int | None] = mapped_column(Integer)
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FeedbackRequestLink(Base):
    """A feedback item linked directly to a request by an editor."""

    __tablename__ = "feedback_request_links"
    __table_args__ = (Index("ix_feedback_request_links_request_id", "request_id"),)

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    request_id: Mapped[int] = mapped_column(
        ForeignKey("product_requests.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float | None] = mapped_column(Float)
    linked_by: Mapped[str] = mapped_column(String(320))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RequestStats(Base):
    """Stored evidence totals of one request, so the list sorts 2,000 requests from one table."""

    __tablename__ = "request_stats"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("product_requests.id", ondelete="CASCADE"), primary_key=True
    )
    n_items: Mapped[int] = mapped_column(Integer, default=0)
    n_customers: Mapped[int] = mapped_column(Integer, default=0)
    n_accounts: Mapped[int] = mapped_column(Integer, default=0)
    arr: Mapped[float] = mapped_column(Float, default=0.0)
    n_promoters: Mapped[int] = mapped_column(Integer, default=0)
    n_passives: Mapped[int] = mapped_column(Integer, default=0)
    n_detractors: Mapped[int] = mapped_column(Integer, default=0)
    n_negative: Mapped[int] = mapped_column(Integer, default=0)
    n_recent: Mapped[int] = mapped_column(Integer, default=0)
    n_previous: Mapped[int] = mapped_column(Integer, default=0)
    nps: Mapped[float | None] = mapped_column(Float)
    opportunity: Mapped[float] = mapped_column(Float, default=0.0)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RequestEvidence(Base):
    """The full stored evidence of one request (voc/request/evidence/shape.py::Stored).

    A table of its own: ``request_stats`` stays a narrow table the list sorts and counts
    quickly; a cold detail reads this one row instead of every evidence item. Written together
    with the request's ``request_stats`` row (whose ``computed_at`` it shares).
    """

    __tablename__ = "request_evidence"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("product_requests.id", ondelete="CASCADE"), primary_key=True
    )
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonType)
