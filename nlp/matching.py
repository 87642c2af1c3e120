"""Theme identity across runs: match current clusters to prior themes, record lineage.

A prior theme P and a current cluster C are linked when they share items and the shared
items are at least min_overlap of P's items or of C's previously seen items (and their
centroids are not opposed), or, without shared items, when their centroid cosine similarity
is at least min_similarity. Each prior's heir is its linked cluster with the most shared
items (then the most similar centroid). A cluster that is the heir of one prior continues it;
of several, it keeps the prior with the largest overlap and the others retire as merged into
it; of none but linked to a prior, it is split from it (new id); otherwise it is new. Priors
without an heir retire. The caller mints ids and never reuses retired ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

LineageKind = Literal["continued", "split", "merged", "new", "retired"]
# Overlap links also need centroids that are at least this similar (guards stray items).
_OVERLAP_MIN_COSINE = 0.3


@dataclass(frozen=True)
class PriorTheme:
    """A theme of the previous run: its id, centroid and member item ids."""

    theme_id: str
    centroid: npt.NDArray[np.float32]
    item_ids: frozenset[int]


@dataclass(frozen=True)
class CurrentCluster:
    """A cluster of the current run: its index, centroid and member item ids."""

    index: int
    centroid: npt.NDArray[np.float32]
    item_ids: frozenset[int]


@dataclass(frozen=True)
class LineageEvent:
    """What happened to themes between two runs."""

    kind: LineageKind
    current_index: int | None
    previous_ids: tuple[str, ...]


@dataclass(frozen=True)
class Matching:
    """Prior theme id kept by each current cluster, in input order (None: new id), and lineage."""

    theme_ids: tuple[str | None, ...]
    events: tuple[LineageEvent, ...]


@dataclass(frozen=True)
class _Link:
    prior: int
    current: int
    shared: int
    cosine: float


def _cosines(
    previous: Sequence[PriorTheme], current: Sequence[CurrentCluster]
) -> npt.NDArray[np.float32]:
    if not previous or not current:
        return np.zeros((len(previous), len(current)), dtype=np.float32)

    def unit(rows: list[npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
        matrix = np.vstack(rows).astype(np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out: npt.NDArray[np.float32] = matrix / norms
        return out

    sims: npt.NDArray[np.float32] = (
        unit([p.centroid for p in previous]) @ unit([c.centroid for c in current]).T
    )
    return sims


def _shared_counts(
    previous: Sequence[PriorTheme], current: Sequence[CurrentCluster]
) -> dict[tuple[int, int], int]:
    owner = {item: ci for ci, cluster in enumerate(current) for item in cluster.item_ids}
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for pi, prior in enumerate(previous):
        for item in prior.item_ids:
            ci = owner.get(item)
            if ci is not None:
                shared[pi, ci] += 1
    return shared


def _links(
    previous: Sequence[PriorTheme],
    current: Sequence[CurrentCluster],
    min_similarity: float,
    min_overlap: float,
) -> list[_Link]:
    cos = _cosines(previous, current)
    shared = _shared_counts(previous, current)
    seen_per_current: dict[int, int] = defaultdict(int)
    for (_, ci), count in shared.items():
        seen_per_current[ci] += count
    links = []
    for pi in range(len(previous)):
        for ci in range(len(current)):
            count = shared.get((pi, ci), 0)
            similarity = float(cos[pi, ci])
            if count:
                share = max(
                    count / max(1, len(previous[pi].item_ids)),
                    count / max(1, seen_per_current[ci]),
                )
                linked = share >= min_overlap and similarity >= _OVERLAP_MIN_COSINE
            else:
                linked = similarity >= min_similarity
            if linked:
                links.append(_Link(pi, ci, count, similarity))
    return links


def match_themes(
    previous: Sequence[PriorTheme],
    current: Sequence[CurrentCluster],
    *,
    min_similarity: float = 0.85,
    min_overlap: float = 0.3,
) -> Matching:
    """Decide which prior theme each current cluster continues, and the lineage events."""
    links = _links(previous, current, min_similarity, min_overlap)
    heir: dict[int, _Link] = {}
    for link in sorted(links, key=lambda lk: (-lk.shared, -lk.cosine, lk.prior, lk.current)):
        heir.setdefault(link.prior, link)
    inherited: dict[int, list[_Link]] = defaultdict(list)
    for link in heir.values():
        inherited[link.current].append(link)
    theme_ids: list[str | None] = []
    events: list[LineageEvent] = []
    for ci, cluster in enumerate(current):
        own = sorted(inherited.get(ci, []), key=lambda lk: (-lk.shared, -lk.cosine, lk.prior))
        if own:
            ids = tuple(previous[lk.prior].theme_id for lk in own)
            theme_ids.append(ids[0])
            kind: LineageKind = "continued" if len(ids) == 1 else "merged"
            events.append(LineageEvent(kind, cluster.index, ids))
            events.extend(LineageEvent("retired", cluster.index, (pid,)) for pid in ids[1:])
            continue
        theme_ids.append(None)
        parents = sorted(
            (lk for lk in links if lk.current == ci), key=lambda lk: (-lk.shared, -lk.cosine)
        )
        if parents:
            parent_id = previous[parents[0].prior].theme_id
            events.append(LineageEvent("split", cluster.index, (parent_id,)))
        else:
            events.append(LineageEvent("new", cluster.index, ()))
    events.extend(
        LineageEvent("retired", None, (prior.theme_id,))
        for pi, prior in enumerate(previous)
        if pi not in heir
    )
    return Matching(theme_ids=tuple(theme_ids), events=tuple(events))
