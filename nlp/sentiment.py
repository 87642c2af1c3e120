"""Sentiment: labels, results, the scorer protocol, implementations and the loader.

Two scorers ship: :class:`MiniLMSentimentScorer` (the default; a fine-tuned branch of the
embedding model, see ``nlp.sentiment_minilm``) and :class:`PipelineSentimentScorer` (any local
Hugging Face text-classification model). Mixed feedback is handled clause by clause; the rule
is documented in ``nlp.clauses``. ``nlp.joint.JointEncoder`` gives embeddings and sentiment from
one forward pass.
"""

from __future__ import annotations

from pathlib import Path

from nlp.clauses import MIXED_THRESHOLD, decide, split_clauses
from nlp.sentiment_minilm import MiniLMSentimentScorer
from nlp.sentiment_pipeline import LabelMappingError, PipelineSentimentScorer, default_label_map
from nlp.sentiment_types import SentimentLabel, SentimentResult, SentimentScorer

__all__ = [
    "MIXED_THRESHOLD",
    "LabelMappingError",
    "MiniLMSentimentScorer",
    "PipelineSentimentScorer",
    "SentimentLabel",
    "SentimentResult",
    "SentimentScorer",
    "decide",
    "default_label_map",
    "load_sentiment_scorer",
    "split_clauses",
]


def load_sentiment_scorer(spec: str | None) -> SentimentScorer:
    """Return the scorer for a setting: None/"default" -> MiniLM, a directory -> pipeline."""
    if spec is None or spec.strip() in ("", "default"):
        return MiniLMSentimentScorer()
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(
            f"sentiment model {spec!r} is neither 'default' nor a local model directory"
        )
    return PipelineSentimentScorer(path)
