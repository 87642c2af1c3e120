"""Per-item kind for the analysis (request, bug, praise, question, other), beside sentiment.

Kinds come from the embeddings the run already holds (no extra model pass): the prototype
signal of :mod:`nlp.kinds` applies when the embedder is the model its prototypes were embedded
with, the cue rules always. Items whose kind is missing (new items, changed text, rows stored
before migration 0006) are filled; the others keep theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from nlp.kinds import load_kind_classifier
from voc.theme import repository
from voc.theme.repository import ItemRow


def fill_kinds(
    session: Session,
    *,
    items: Sequence[ItemRow],
    matrix: npt.NDArray[np.float32],
    model_id: str,
) -> dict[int, tuple[str | None, float | None]]:
    """Classify items without a kind (``matrix`` rows align with ``items``).

    Returns every item's kind and confidence by id, the stored ones and those classified now
    (the sentiment step reads them: ``nlp.clauses.for_kind``).
    """
    kinds: dict[int, tuple[str | None, float | None]] = {
        item.id: (item.kind, item.kind_confidence) for item in items
    }
    todo = [row for row, item in enumerate(items) if item.kind is None]
    if not todo:
        return kinds
    classifier = load_kind_classifier()
    same_model = model_id == classifier.model_id
    embeddings = matrix[np.asarray(todo, dtype=np.int64)] if same_model else None
    predictions = classifier.predict([items[row].text for row in todo], embeddings)
    rows: list[dict[str, Any]] = [
        {"id": items[row].id, "kind": p.kind, "kind_confidence": p.confidence}
        for row, p in zip(todo, predictions, strict=True)
    ]
    repository.update_feedback_columns(session, rows)
    kinds.update((row["id"], (row["kind"], row["kind_confidence"])) for row in rows)
    return kinds
