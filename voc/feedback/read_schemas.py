"""What the read side returns for feedback items: one item, a page, filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class FeedbackRead(BaseModel):
    """One feedback item with its sentiment and theme."""

    id: int
    source: str
    external_id: str
    text: str
    score: int | None
    created_at: datetime
    campaign: str | None
    customer_id: int | None
    metadata: dict[str, Any] = Field(default_factory=dict)
    sentiment_label: str | None
    sentiment_score: float | None
    theme_id: int | None
    theme_label: str | None
    theme_confidence: float | None
    is_manual_assignment: bool | None


class FeedbackPage(BaseModel):
    """A page of items, newest first; pass ``next_cursor`` back for the next page."""

    items: list[FeedbackRead]
    next_cursor: str | None
    limit: int


class SearchHit(BaseModel):
    """An item found by semantic search, with its cosine similarity to the query."""

    score: float
    item: FeedbackRead


class SearchResult(BaseModel):
    """Items most similar to a query text, best first."""

    query: str
    model_id: str
    hits: list[SearchHit]


@dataclass(frozen=True)
class FeedbackFilters:
    """Filters of the feedback list; None means no filter."""

    source: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    theme_id: int | None = None
    sentiment: str | None = None
    segment: str | None = None
    score_min: int | None = None
    score_max: int | None = None
    q: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when no filter is set (every item passes)."""
        return all(value is None for value in vars(self).values())
