"""On-disk ANN indexes, one per embedding model: a large main index and a small delta.

New embeddings go to the delta (cheap to rewrite); searches query both and merge; the delta
is folded into the main index when it grows past ``DELTA_LIMIT`` or when a rebuild job runs.
Writers hold a file lock, write to a temporary file and rename it into place, so readers in
other processes (they memory-map the main file) never see half a file.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from usearch.index import Index

DELTA_LIMIT = 50_000
_cache_lock = threading.Lock()
_cache: dict[Path, tuple[float, Index]] = {}


@dataclass(frozen=True)
class IndexFiles:
    """Paths of one model's index files under the data directory."""

    main: Path
    delta: Path
    lock: Path

    @classmethod
    def for_model(cls, data_dir: Path, model_id: str) -> IndexFiles:
        """The files of ``model_id`` under ``data_dir/index``."""
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_id)
        folder = data_dir / "index"
        return cls(
            main=folder / f"{slug}.usearch",
            delta=folder / f"{slug}.delta.usearch",
            lock=folder / f"{slug}.lock",
        )


def new_index(dim: int, *, dtype: str = "f16") -> Index:
    """An empty cosine index of dimension ``dim``."""
    return Index(ndim=dim, metric="cos", dtype=dtype, connectivity=16, expansion_search=96)


@contextmanager
def write_lock(files: IndexFiles) -> Iterator[None]:
    """Exclusive lock across processes for changing this model's index files."""
    files.lock.parent.mkdir(parents=True, exist_ok=True)
    with files.lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save_atomically(index: Index, path: Path) -> None:
    """Write to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    index.save(str(tmp))
    os.replace(tmp, path)


def load_for_write(path: Path, dim: int, dtype: str) -> Index:
    """The index in ``path`` fully in memory (a new one when missing)."""
    if path.exists():
        index = Index.restore(str(path), view=False)
        if index is not None:
            return index
    return new_index(dim, dtype=dtype)


def open_for_search(path: Path, *, view: bool) -> Index | None:
    """A cached read-only handle on ``path``, reopened when the file changes; None if absent."""
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        index = Index.restore(str(path), view=view)
        if index is None:
            return None
        _cache[path] = (mtime, index)
        return index


def add_vectors(
    files: IndexFiles, keys: npt.NDArray[np.uint64], vectors: npt.NDArray[np.float32]
) -> int:
    """Add vectors (keys not yet indexed) to the delta; fold it in when large. Returns added."""
    if len(keys) == 0:
        return 0
    with write_lock(files):
        dim = int(vectors.shape[1])
        # the readers' cached view: mapping a 1M-vector file again costs ~150 ms per call
        main = open_for_search(files.main, view=True)
        delta = load_for_write(files.delta, dim, "f32")
        fresh = np.ones(len(keys), dtype=bool)
        for part in (main, delta):
            if part is not None and len(part) > 0:
                fresh &= ~np.asarray(part.contains(keys), dtype=bool)
        if not fresh.any():
            return 0
        delta.add(keys[fresh], vectors[fresh])
        if len(delta) >= DELTA_LIMIT:
            _fold(files, delta, dim)
        else:
            save_atomically(delta, files.delta)
        return int(fresh.sum())


def _fold(files: IndexFiles, delta: Index, dim: int) -> None:
    main = load_for_write(files.main, dim, "f16")
    keys = np.asarray(delta.keys, dtype=np.uint64)
    main.add(keys, np.asarray(delta.get(keys), dtype=np.float32))
    save_atomically(main, files.main)
    files.delta.unlink(missing_ok=True)


def replace_main(files: IndexFiles, index: Index) -> None:
    """Install a freshly built main index and drop the delta (a rebuild)."""
    with write_lock(files):
        save_atomically(index, files.main)
        files.delta.unlink(missing_ok=True)


def search(files: IndexFiles, query: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
    """(key, cosine similarity) of the ``k`` nearest keys over main and delta, best first."""
    best: dict[int, float] = {}
    for path, view in ((files.main, True), (files.delta, False)):
        index = open_for_search(path, view=view)
        if index is None or len(index) == 0:
            continue
        matches = index.search(query, count=min(k, len(index)))
        for key, distance in zip(matches.keys, matches.distances, strict=True):
            similarity = 1.0 - float(distance)
            if similarity > best.get(int(key), -2.0):
                best[int(key)] = similarity
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def missing_keys(files: IndexFiles, keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The keys that neither the main nor the delta index holds."""
    fresh = np.ones(len(keys), dtype=bool)
    for path, view in ((files.main, True), (files.delta, False)):
        index = open_for_search(path, view=view)
        if index is not None and len(index) > 0 and len(keys) > 0:
            fresh &= ~np.asarray(index.contains(keys), dtype=bool)
    return keys[fresh]


def indexed_count(files: IndexFiles) -> int:
    """How many vectors the main and delta indexes hold together."""
    total = 0
    for path, view in ((files.main, True), (files.delta, False)):
        index = open_for_search(path, view=view)
        total += len(index) if index is not None else 0
    return total
