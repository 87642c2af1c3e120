"""Embeddings and sentiment from one forward pass of all-MiniLM-L6-v2.

The base model's lower ``k`` layers run once; the frozen base layers ``k..5`` finish the
sentence embedding (mean pooling + L2 norm, identical to ``SentenceTransformerEmbedder`` within
float noise, same ``normalize_for_model`` and same ``model_id``, so embedding caches are shared)
and the fine-tuned branch layers give the sentiment, clauses included, from the same states.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlp.clauses import MIXED_THRESHOLD
from nlp.embedding import MODEL_NAME, NORMALIZATION_VERSION
from nlp.sentiment_minilm import BranchRunner, sentiment_model_id, to_results
from nlp.sentiment_types import SentimentResult


@dataclass(frozen=True)
class JointResult:
    """Unit-norm float32 embeddings (n, dim) and one sentiment result per text."""

    embeddings: npt.NDArray[np.float32]
    sentiments: list[SentimentResult]


class JointEncoder:
    """Embedder and sentiment scorer sharing the base model's forward pass."""

    def __init__(
        self,
        weights_dir: str | Path | None = None,
        *,
        device: str | None = None,
        mixed_threshold: float = MIXED_THRESHOLD,
    ) -> None:
        """Point at the sentiment weights; models load lazily on first use."""
        self._runner = BranchRunner(weights_dir, device)
        self._threshold = mixed_threshold
        self.model_id = f"{MODEL_NAME}@{NORMALIZATION_VERSION}"
        self.dim = 384
        self.sentiment_model_id = sentiment_model_id(self._runner.weights_dir)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> JointResult:
        """Return embeddings and sentiments of the texts (one shared pass)."""
        if not texts:
            return JointResult(np.zeros((0, self.dim), dtype=np.float32), [])
        out = self._runner.run(texts, batch_size=batch_size, embed=True)
        assert out.embeddings is not None
        return JointResult(out.embeddings, to_results(out, self._threshold))

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> npt.NDArray[np.float32]:
        """Return embeddings only (the Embedder protocol; no sentiment work)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._runner.run(texts, batch_size=batch_size, embed=True, sentiment=False)
        assert out.embeddings is not None
        return out.embeddings

    def score(self, texts: Sequence[str], *, batch_size: int = 64) -> list[SentimentResult]:
        """Return sentiments only (the SentimentScorer protocol, under ``sentiment_model_id``)."""
        if not texts:
            return []
        return to_results(
            self._runner.run(texts, batch_size=batch_size, embed=False), self._threshold
        )
