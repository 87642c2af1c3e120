"""Embed the kind prototypes with the packaged MiniLM.

Run ``python -m nlp.training.build_kind_prototypes`` after editing ``prototypes.json``.

Writes ``nlp/models/kinds/prototypes.safetensors`` (one unit-vector matrix per kind) with the
digest of ``prototypes.json`` in its metadata, so a changed sentence file is never paired with
old vectors (``nlp.kinds.load_prototype_vectors`` then falls back to cues only).
"""

from __future__ import annotations

import numpy as np
from safetensors.numpy import save_file

from nlp.embedding import SentenceTransformerEmbedder
from nlp.kinds import (
    KINDS,
    PROTOTYPE_DIR,
    PROTOTYPE_MODEL_ID,
    prototype_digest,
    prototype_sentences,
)


def build() -> None:
    """Embed every prototype sentence and write the vectors beside the sentences."""
    embedder = SentenceTransformerEmbedder()
    if embedder.model_id != PROTOTYPE_MODEL_ID:
        raise SystemExit(f"embedder is {embedder.model_id}, prototypes expect {PROTOTYPE_MODEL_ID}")
    sentences = prototype_sentences()
    tensors = {
        kind: np.ascontiguousarray(embedder.embed(sentences[kind]), dtype=np.float32)
        for kind in KINDS
    }
    metadata = {"digest": prototype_digest(sentences), "model_id": PROTOTYPE_MODEL_ID}
    save_file(tensors, str(PROTOTYPE_DIR / "prototypes.safetensors"), metadata=metadata)


if __name__ == "__main__":
    build()
