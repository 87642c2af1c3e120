"""Feedback items and the embedding cache."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from voc.db import Base
from voc.types import JsonType, UtcDateTime, utcnow


class Source(StrEnum):
    """Where a feedback item came from."""

    NPS = "nps"
    SURVEY = "survey"
    TICKET = "ticket"


class Kind(StrEnum):
    """What an item is (``nlp.kinds.KINDS``): it asks for something, reports breakage, ..."""

    REQUEST = "request"
    BUG = "bug"
    PRAISE = "praise"
    QUESTION = "question"
    OTHER = "other"


class Feedback(Base):
    """One piece of customer text; unique by (source, external_id)."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_feedback_source_external_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)", name="ck_feedback_score"),
        Index("ix_feedback_campaign", "campaign"),
        Index("ix_feedback_created_at", "created_at"),
        Index("ix_feedback_created_at_id", "created_at", "id"),  # keyset pagination
        Index("ix_feedback_customer_id", "customer_id"),
        Index("ix_feedback_text_hash", "text_hash"),
        Index("ix_feedback_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    campaign: Mapped[str | None] = mapped_column(String(255))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType, default=dict)
    sentiment_label: Mapped[str | None] = mapped_column(String(16))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    sentiment_is_mixed: Mapped[bool | None] = mapped_column(Boolean)
    sentiment_model: Mapped[str | None] = mapped_column(String(255))
    # request / bug / praise / question / other (nlp.kinds), filled beside sentiment
    kind: Mapped[str | None] = mapped_column(String(16))
    kind_confidence: Mapped[float | None] = mapped_column(Float)
    ingested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class EmbeddingCache(Base):
    """Embeddings keyed by model id and text hash: unchanged text is never re-embedded."""

    __tablename__ = "embedding_cache"

    model_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
