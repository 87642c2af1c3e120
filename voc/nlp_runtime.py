"""The models a process uses, loaded once and shared (embedder, sentiment, joint encoder)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from voc.config import Settings
from voc.errors import ModelUnavailable

if TYPE_CHECKING:
    from nlp.embedding import Embedder
    from nlp.joint import JointEncoder
    from nlp.sentiment import SentimentResult, SentimentScorer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Models:
    """Embedder and sentiment scorer; ``joint`` shares one forward pass between both."""

    embedder: Embedder
    scorer: SentimentScorer
    joint: JointEncoder | None


class _JointScorer:
    """The joint encoder seen as a SentimentScorer, under the sentiment model's own id."""

    def __init__(self, joint: JointEncoder) -> None:
        self._joint = joint
        self.model_id = joint.sentiment_model_id

    def score(self, texts: Sequence[str], *, batch_size: int = 64) -> list[SentimentResult]:
        """Sentiment only."""
        return self._joint.score(texts, batch_size=batch_size)


_lock = threading.Lock()
_cache: dict[tuple[str | None, str | None, str | None], Models] = {}


def _build(settings: Settings) -> Models:
    from nlp.embedding import (
        CoalescingEmbedder,
        ModelNotInstalledError,
        SentenceTransformerEmbedder,
    )
    from nlp.joint import JointEncoder
    from nlp.sentiment import load_sentiment_scorer

    nlp = settings.nlp
    try:
        if nlp.embedding_model is None and nlp.sentiment_model in {None, "", "default"}:
            joint = JointEncoder(device=nlp.device)
            # searches and single creates embed one text each: share passes between requests
            return Models(
                embedder=CoalescingEmbedder(joint), scorer=_JointScorer(joint), joint=joint
            )
        embedder = SentenceTransformerEmbedder(nlp.embedding_model, device=nlp.device)
        scorer = load_sentiment_scorer(nlp.sentiment_model)
    except ModelNotInstalledError as exc:
        raise ModelUnavailable(str(exc)) from None
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"cannot load model: {exc}") from None
    return Models(embedder=CoalescingEmbedder(embedder), scorer=scorer, joint=None)


def get_models(settings: Settings) -> Models:
    """The process-wide models for these settings (built lazily, once)."""
    key = (settings.nlp.embedding_model, settings.nlp.sentiment_model, settings.nlp.device)
    with _lock:
        if key not in _cache:
            _cache[key] = _build(settings)
        return _cache[key]
