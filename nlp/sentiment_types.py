"""Sentiment result types and the scorer protocol (no heavy imports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


class SentimentLabel(StrEnum):
    """Item-level sentiment label."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


LABEL_ORDER = (SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE)


@dataclass(frozen=True)
class SentimentResult:
    """Sentiment of one text.

    ``probabilities`` (negative, neutral, positive) describe the whole text; ``label`` follows
    the clause rule of ``nlp.clauses`` (it can differ from the argmax of ``probabilities`` for
    mixed feedback); ``score`` (p_pos - p_neg) is that of the span that decided the label, so a
    positive label never has a negative score; ``strongest_clause`` is the most polar clause
    when the text was split, else None.
    """

    label: SentimentLabel
    score: float
    probabilities: tuple[float, float, float]
    is_mixed: bool
    strongest_clause: str | None


@runtime_checkable
class SentimentScorer(Protocol):
    """Scores texts as negative / neutral / positive with calibrated probabilities."""

    model_id: str

    def score(self, texts: Sequence[str], *, batch_size: int = 64) -> list[SentimentResult]:
        """Return one result per text, in order."""
        ...
