"""Schemas of search: semantic hits, and what the feedback explorer asks and shows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pydantic import BaseModel

from voc.feedback.schemas import FeedbackFilters, FeedbackRead

ExploreMode = Literal["text", "semantic"]


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
class ExploreQuery:
    """What the explorer is asked: words (``text`` mode) or a meaning, within filters."""

    text: str | None
    mode: ExploreMode
    filters: FeedbackFilters

    @property
    def is_semantic(self) -> bool:
        """A search by meaning: the mode asks for it and there is a text to embed."""
        return self.mode == "semantic" and bool(self.text)

    def item_filters(self) -> FeedbackFilters:
        """The filters with the words as a text filter (none in a search by meaning)."""
        return replace(self.filters, q=None if self.is_semantic else self.text)


class ExplorePage(BaseModel):
    """One page of the explorer: newest items (text mode) or the closest hits (semantic)."""

    is_semantic: bool
    items: list[FeedbackRead]
    hits: list[SearchHit]
    next_cursor: str | None
