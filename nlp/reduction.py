"""Dimensionality reduction before density clustering (UMAP, PCA or none)."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import numpy.typing as npt

from nlp.types import Reduction

logger = logging.getLogger(__name__)
LARGE = 10_000


def reduce_dimensions(
    embeddings: npt.NDArray[np.float32],
    *,
    method: Reduction,
    n_components: int,
    n_neighbors: int,
    seed: int,
) -> npt.NDArray[np.float32]:
    """Project unit-norm embeddings to a low-dimensional space where density is meaningful."""
    n = embeddings.shape[0]
    if method == "none" or n <= n_components + 1:
        return np.ascontiguousarray(embeddings, dtype=np.float32)
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=min(n_components, embeddings.shape[1]), random_state=seed)
        return np.asarray(pca.fit_transform(embeddings), dtype=np.float32)
    return _umap(embeddings, n_components=n_components, n_neighbors=n_neighbors, seed=seed)


def _umap(
    embeddings: npt.NDArray[np.float32], *, n_components: int, n_neighbors: int, seed: int
) -> npt.NDArray[np.float32]:
    with warnings.catch_warnings():
        # umap warns at import that its optional TensorFlow variant is unavailable.
        warnings.filterwarnings("ignore", category=ImportWarning)
        import umap

    n = embeddings.shape[0]
    model = umap.UMAP(
        n_neighbors=min(n_neighbors, n - 1),
        n_components=n_components,
        min_dist=0.0,
        metric="cosine",
        random_state=seed,
        init="spectral" if n > n_components + 2 else "random",
        # Above 10k points umap's default is 200 epochs; 100 gave the same clusters on
        # clinc150 (NMI 0.868 vs 0.869 on a 20k sample) in a fraction of the time.
        n_epochs=100 if n > LARGE else None,
    )
    with warnings.catch_warnings():
        # A fixed random_state disables parallelism; umap warns about it on every call.
        warnings.filterwarnings("ignore", message=".*n_jobs value.*", category=UserWarning)
        reduced = model.fit_transform(embeddings)
    return np.asarray(reduced, dtype=np.float32)
