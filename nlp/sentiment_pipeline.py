"""Any local Hugging Face text-classification model as a SentimentScorer (transformers pipeline).

Labels map to negative / neutral / positive by ``label_map`` or, by default, from the model's
label names: a name containing "neg", "neu" or "pos" (case-insensitive), else ``LABEL_0/1/2``
in that order for 3-class models and ``LABEL_0/1`` as negative / positive for 2-class models
(neutral is then never predicted). Multi-clause texts are also scored clause by clause (one
extra batched pass over their clauses) and go through the same rule as the MiniLM scorer.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nlp.clauses import MIXED_THRESHOLD, contrasts, decide, sentiment_spans
from nlp.loading import quiet_model_load
from nlp.normalize import normalize_for_model
from nlp.sentiment_types import LABEL_ORDER, SentimentLabel, SentimentResult


class LabelMappingError(ValueError):
    """A model label cannot be mapped to negative / neutral / positive."""


def default_label_map(labels: Sequence[str]) -> dict[str, SentimentLabel]:
    """Map a model's label names to sentiment labels (see the module docstring)."""
    mapping: dict[str, SentimentLabel] = {}
    for name in labels:
        low = name.lower()
        for key, label in (
            ("neg", SentimentLabel.NEGATIVE),
            ("neu", SentimentLabel.NEUTRAL),
            ("pos", SentimentLabel.POSITIVE),
        ):
            if key in low:
                mapping[name] = label
    if len(mapping) == len(labels):
        return mapping
    by_index = {2: (SentimentLabel.NEGATIVE, SentimentLabel.POSITIVE), 3: LABEL_ORDER}
    if len(labels) in by_index and all(n.upper() == f"LABEL_{i}" for i, n in enumerate(labels)):
        return dict(zip(labels, by_index[len(labels)], strict=True))
    raise LabelMappingError(
        f"cannot map labels {list(labels)} to negative/neutral/positive: pass label_map"
    )


class PipelineSentimentScorer:
    """Sentiment from a local Hugging Face text-classification model directory."""

    def __init__(
        self,
        model_dir: str | Path,
        *,
        label_map: Mapping[str, SentimentLabel] | None = None,
        device: str | None = None,
        mixed_threshold: float = MIXED_THRESHOLD,
    ) -> None:
        """Point at the model directory; it loads lazily on first use (offline)."""
        self.model_dir = Path(model_dir)
        if not (self.model_dir / "config.json").is_file():
            raise FileNotFoundError(f"{self.model_dir} holds no Hugging Face model (config.json)")
        self.model_id = f"hf-pipeline:{self.model_dir.resolve().name}"
        self._label_map = dict(label_map) if label_map is not None else None
        self._device = device
        self._threshold = mixed_threshold
        self._pipe: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._pipe is None:
                from transformers import pipeline

                with quiet_model_load():
                    pipe = pipeline(
                        "text-classification",
                        model=str(self.model_dir),
                        tokenizer=str(self.model_dir),
                        device=self._device,
                    )
                id2label: Any = pipe.model.config.id2label
                labels = [str(id2label[i]) for i in range(len(id2label))]
                mapping = self._label_map or default_label_map(labels)
                missing = [n for n in labels if n not in mapping]
                if missing:
                    raise LabelMappingError(f"label_map does not cover labels {missing}")
                self._label_map = mapping
                self._pipe = pipe
        return self._pipe

    def _probabilities(self, texts: list[str], batch_size: int) -> list[tuple[float, ...]]:
        if not texts:
            return []
        pipe = self._load()
        assert self._label_map is not None
        raw = pipe(texts, batch_size=batch_size, top_k=None, truncation=True)
        out = []
        for scores in raw:
            p = dict.fromkeys(LABEL_ORDER, 0.0)
            for item in scores:
                p[self._label_map[item["label"]]] += float(item["score"])
            out.append(tuple(p[label] for label in LABEL_ORDER))
        return out

    def score(self, texts: Sequence[str], *, batch_size: int = 64) -> list[SentimentResult]:
        """Return one result per text (probabilities as the model gives them)."""
        prepared = [normalize_for_model(t).strip() for t in texts]
        spans = [sentiment_spans(t) for t in prepared]
        whole = self._probabilities(
            [t[w[0] : w[1]] for t, (w, _) in zip(prepared, spans, strict=True)], batch_size
        )
        pieces = [
            [t[s:e] for s, e in clauses] for t, (_, clauses) in zip(prepared, spans, strict=True)
        ]
        flat = [c for p in pieces if len(p) >= 2 for c in p]
        clause_probs = iter(self._probabilities(flat, batch_size))
        results = []
        for p, clauses, t, (_, clause_spans) in zip(whole, pieces, prepared, spans, strict=True):
            scored = [(c, next(clause_probs)) for c in clauses] if len(clauses) >= 2 else []
            turned = contrasts(t, clause_spans) if scored else []
            results.append(decide(p, scored, self._threshold, turned))
        return results
