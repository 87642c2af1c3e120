"""Per-item sentiment for the analysis: reuse what the joint pass gave, score only the rest.

The stored ``sentiment_model`` is the scorer's model id and the version of the item-level
rules (``nlp.clauses.RULE_VERSION``): new weights, a new calibration or new rules re-score the
stored items at the next run. The item's kind is known by then (``voc.theme.kinds``): a
confident request reads neutral (``nlp.clauses.for_kind``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from nlp.clauses import RULE_VERSION, for_kind
from nlp.sentiment import SentimentResult, SentimentScorer
from voc.theme import repository
from voc.theme.repository import ItemRow


def stored_model_id(scorer: SentimentScorer) -> str:
    """What ``feedback.sentiment_model`` holds for a label from this scorer and these rules."""
    return f"{scorer.model_id}+{RULE_VERSION}"


def fill_sentiment(
    session: Session,
    *,
    items: Sequence[ItemRow],
    scorer: SentimentScorer,
    from_joint: dict[str, SentimentResult],
    batch_size: int,
    kinds: Mapping[int, tuple[str | None, float | None]] | None = None,
) -> int:
    """Score items whose stored sentiment is not from this model; returns how many changed.

    ``kinds`` (item id -> kind, confidence) apply ``nlp.clauses.for_kind``.
    """
    model_id = stored_model_id(scorer)
    kinds = kinds or {}
    stale = [item for item in items if item.sentiment_model != model_id]
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
        kind, confidence = kinds.get(item.id, (None, None))
        result = for_kind(by_hash[item.text_hash], kind, confidence, item.text)
        rows.append(
            {
                "id": item.id,
                "sentiment_label": str(result.label),
                "sentiment_score": float(result.score),
                "sentiment_is_mixed": bool(result.is_mixed),
                "sentiment_model": model_id,
            }
        )
    repository.update_feedback_columns(session, rows)
    return len(rows)
