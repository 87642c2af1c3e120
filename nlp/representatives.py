"""Representative items of a theme: close to its centroid, distinct, of medium length."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_SHORTLIST = 40
_NEAR_DUPLICATE = 0.95
_LENGTH_PENALTY = 0.05


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def pick_representatives(
    embeddings: npt.NDArray[np.float32],
    texts: Sequence[str],
    members: npt.NDArray[np.intp],
    centroid: npt.NDArray[np.float32],
    *,
    count: int = 5,
) -> tuple[int, ...]:
    """Return up to count member indices near the centroid, skipping near-identical texts."""
    if members.size == 0:
        return ()
    sims = embeddings[members] @ centroid
    shortlist = members[np.argsort(-sims, kind="stable")[:_SHORTLIST]]
    lengths = np.array([len(texts[i]) for i in shortlist], dtype=np.float64)
    median = float(np.median(lengths)) or 1.0
    deviation = np.abs(np.log(np.maximum(lengths, 1.0) / median))
    score = embeddings[shortlist] @ centroid - _LENGTH_PENALTY * deviation
    chosen: list[int] = []
    seen: set[str] = set()
    for i in shortlist[np.argsort(-score, kind="stable")]:
        key = _key(texts[i])
        if key in seen:
            continue
        if chosen and float(np.max(embeddings[chosen] @ embeddings[i])) >= _NEAR_DUPLICATE:
            continue
        chosen.append(int(i))
        seen.add(key)
        if len(chosen) == count:
            break
    return tuple(chosen)
