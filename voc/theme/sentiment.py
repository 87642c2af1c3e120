"""Per-item sentiment for the analysis: reuse what the joint pass gave, score only the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from nlp.sentiment import SentimentResult, SentimentScorer
from voc.theme import repository
from voc.theme.repository import ItemRow


def fill_sentiment(
    session: Session,
    *,
    items: Sequence[ItemRow],
    scorer: SentimentScorer,
    from_joint: dict[str, SentimentResult],
    batch_size: int,
) -> int:
    """Score items whose stored sentiment is not from this model; returns how many changed."""
    stale = [item for item in items if item.sentiment_model != scorer.model_id]
    if not stale:
        return 0
    by_hash: dict[str, SentimentResult] = dict(from_joint)
    todo: dict[str, str] = {}
    for item in stale:
        if item.text_hash not in by_hash:
            todo.setdefault(item.text_hash, item.text)
    if todo:
        scored = scorer.score(list(todo.values()), batch_size=batch_size)
        by_hash.update(zip(todo.keys(), scored, strict=True))
    rows: list[dict[str, Any]] = []
    for item in stale:
        result = by_hash[item.text_hash]
        rows.append(
            {
                "id": item.id,
                "sentiment_label": str(result.label),
                "sentiment_score": float(result.score),
                "sentiment_is_mixed": bool(result.is_mixed),
                "sentiment_model": scorer.model_id,
            }
        )
    repository.update_feedback_columns(session, rows)
    return len(rows)
