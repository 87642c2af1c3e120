"""Parent themes of a run: group the active themes, keep parent ids, honour people's choices.

Each run regroups every active theme by its centroid (``nlp.hierarchy.group_themes``, which
keeps the stored grouping and places new themes in it) and matches the groups to
the stored parents by their child themes, the way ``nlp.matching`` matches themes by their
items: a group that holds most of a stored parent's themes continues
it (same id, same human label), one that holds none of them is new, a stored parent that no
group continues retires (merged into the group that took most of its themes).

People win over the grouping: a theme a person moved (``human_parent_id``) stays under that
parent (following merges of parents); a parent a person renamed keeps its name (runs only
write machine fields) and its themes (the person accepted that group), while new themes may
still join it through the matching. Labels come from the label machinery of fine themes
(``nlp.discovery.describe_themes``) run on the parents' items, so they are distinct between
parents. Services flush, never commit.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from nlp.discovery import describe_themes
from nlp.hierarchy import group_label, group_themes
from nlp.labels import PhraseEmbedder
from nlp.matching import CurrentCluster, PriorTheme, match_themes
from nlp.types import DiscoveryParams
from voc.theme.models import (
    AnalysisRun,
    LineageKind,
    Theme,
    ThemeParent,
    ThemeParentLineage,
    ThemeStatus,
)

logger = logging.getLogger(__name__)


def _vector(blob: bytes | None) -> npt.NDArray[np.float32]:
    return np.frombuffer(blob or b"", dtype=np.float32)


def resolve_parent(session: Session, parent_id: int | None) -> ThemeParent | None:
    """The active parent a (possibly merged) parent id leads to, or None."""
    seen: set[int] = set()
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent = session.get(ThemeParent, parent_id)
        if parent is None:
            return None
        if parent.status == ThemeStatus.ACTIVE:
            return parent
        parent_id = parent.merged_into_id
    return None


def _weighted_centroid(themes: Sequence[Theme]) -> npt.NDArray[np.float32]:
    vectors = np.stack([_vector(t.centroid) for t in themes])
    weights = np.asarray([max(1, t.size) for t in themes], dtype=np.float32)
    mean = (vectors * weights[:, None]).sum(axis=0)
    norm = float(np.linalg.norm(mean))
    out: npt.NDArray[np.float32] = (mean / norm if norm > 0 else mean).astype(np.float32)
    return out


def regroup(
    session: Session,
    *,
    run: AnalysisRun,
    matrix: npt.NDArray[np.float32],
    texts: Sequence[str],
    item_theme_ids: Sequence[int | None],
    params: DiscoveryParams,
    phrase_embedder: PhraseEmbedder | None = None,
) -> list[ThemeParent]:
    """Group the active themes under parents and persist them; returns the active parents.

    ``matrix``, ``texts`` and ``item_theme_ids`` are the run's items and their themes: the
    parents' labels, keywords and centroids come from them.
    """
    themes = [
        t
        for t in session.scalars(
            select(Theme).where(Theme.status == ThemeStatus.ACTIVE).order_by(Theme.id)
        )
        if t.centroid is not None
    ]
    if not themes:
        return []
    stored = {
        p.id: p
        for p in session.scalars(
            select(ThemeParent).where(ThemeParent.status == ThemeStatus.ACTIVE)
        )
    }
    children: dict[int, set[int]] = {pid: set() for pid in stored}
    for theme in themes:
        if theme.parent_id in children:
            children[theme.parent_id].add(theme.id)
    key_of = _parent_keys(session, themes, stored, children)
    keys = sorted(set(key_of.values()), key=lambda k: (isinstance(k, tuple), str(k)))
    index_of = {k: i for i, k in enumerate(keys)}
    parents = [_parent_row(session, k, stored, run) for k in keys]
    members_of: list[list[Theme]] = [[] for _ in keys]
    for theme in themes:
        members_of[index_of[key_of[theme.id]]].append(theme)
    _describe(matrix, texts, item_theme_ids, key_of, index_of, parents, members_of, params, run,
              phrase_embedder)  # fmt: skip
    for parent, members in zip(parents, members_of, strict=True):
        for theme in members:
            theme.parent_id = parent.id
    _record_lineage(session, run, stored, parents, members_of, children)
    session.flush()
    return parents


def _parent_keys(
    session: Session,
    themes: Sequence[Theme],
    stored: dict[int, ThemeParent],
    children: dict[int, set[int]],
) -> dict[int, int | tuple[str, int]]:
    """The parent of each theme: a stored parent id, or ("new", group)."""
    centroids = np.stack([_vector(t.centroid) for t in themes])
    position = {pid: k for k, pid in enumerate(sorted(stored))}
    prior = [position.get(t.parent_id, -1) if t.parent_id is not None else -1 for t in themes]
    grouping = group_themes(centroids, [t.size for t in themes], prior=prior if stored else None)
    groups: list[list[Theme]] = [[] for _ in range(grouping.n_parents)]
    for theme, g in zip(themes, grouping.parents.tolist(), strict=True):
        groups[g].append(theme)
    priors = [
        PriorTheme(str(pid), _vector(p.centroid), frozenset(children[pid]))
        for pid, p in sorted(stored.items())
        if p.centroid is not None
    ]
    current = [
        CurrentCluster(g, _weighted_centroid(members), frozenset(t.id for t in members))
        for g, members in enumerate(groups)
    ]
    matching = match_themes(priors, current)
    key_of: dict[int, int | tuple[str, int]] = {}
    for g, members in enumerate(groups):
        matched = matching.theme_ids[g]
        for theme in members:
            key_of[theme.id] = int(matched) if matched is not None else ("new", g)
    for theme in themes:
        chosen = _placed_by_a_person(session, theme, stored)
        if chosen is not None:
            key_of[theme.id] = chosen
    return key_of


def _placed_by_a_person(
    session: Session, theme: Theme, stored: dict[int, ThemeParent]
) -> int | None:
    """The parent a person chose for this theme: by moving it, or by naming its parent."""
    chosen = resolve_parent(session, theme.human_parent_id)
    if chosen is not None:  # a person put this theme here
        return chosen.id
    named = stored.get(theme.parent_id) if theme.parent_id is not None else None
    if named is not None and named.human_label:  # a person named this group: keep it
        return named.id
    return None


def _is_placed_by_a_person(session: Session, theme: Theme, stored: dict[int, ThemeParent]) -> bool:
    return _placed_by_a_person(session, theme, stored) is not None


def _parent_row(
    session: Session,
    key: int | tuple[str, int],
    stored: dict[int, ThemeParent],
    run: AnalysisRun,
) -> ThemeParent:
    if isinstance(key, int):
        parent = stored.get(key) or session.get(ThemeParent, key)
        if parent is not None:
            return parent
    parent = ThemeParent(machine_label="", created_run_id=run.id, status=ThemeStatus.ACTIVE)
    session.add(parent)
    session.flush()
    return parent


def _describe(
    matrix: npt.NDArray[np.float32],
    texts: Sequence[str],
    item_theme_ids: Sequence[int | None],
    key_of: dict[int, int | tuple[str, int]],
    index_of: dict[int | tuple[str, int], int],
    parents: Sequence[ThemeParent],
    members_of: Sequence[Sequence[Theme]],
    params: DiscoveryParams,
    run: AnalysisRun,
    phrase_embedder: PhraseEmbedder | None,
) -> None:
    """Labels, keywords and centroids of the parents from the run's items."""
    parent_index = np.asarray(
        [
            index_of[key_of[tid]] if tid is not None and tid in key_of else -1
            for tid in item_theme_ids
        ],
        dtype=np.int64,
    )
    # parents with items in this run get labels from them (contiguous indices for nlp)
    with_items = sorted(set(parent_index[parent_index >= 0].tolist()))
    compact = np.full(len(parents) + 1, -1, dtype=np.int64)
    compact[np.asarray(with_items, dtype=np.int64)] = np.arange(len(with_items))
    labels = compact[parent_index]  # -1 stays -1 through the sentinel slot
    rows = np.arange(labels.size)
    if labels.size > params.sample_size:  # labels of big runs from a seeded sample, as discovery
        rows = np.sort(np.random.default_rng(run.seed).choice(labels.size, params.sample_size,
                                                              replace=False))  # fmt: skip
        with_items = sorted(set(parent_index[rows][parent_index[rows] >= 0].tolist()))
        compact[:] = -1
        compact[np.asarray(with_items, dtype=np.int64)] = np.arange(len(with_items))
        labels = compact[parent_index]
    described = describe_themes(
        matrix[rows], [texts[i] for i in rows.tolist()], labels[rows], params, run.seed,
        phrase_embedder,
    )  # fmt: skip
    for found, p in zip(described, with_items, strict=True):
        parent = parents[p]
        parent.machine_label = group_label(found.label, [(t.label, t.size) for t in members_of[p]])
        parent.keywords = list(found.keywords)
        parent.centroid = np.asarray(found.centroid, dtype=np.float32).tobytes()
    for p, (parent, members) in enumerate(zip(parents, members_of, strict=True)):
        if p not in with_items and not parent.machine_label:  # no item in a scoped run
            largest = max(members, key=lambda t: (t.size, -t.id))
            parent.machine_label = largest.machine_label
            parent.keywords = list(largest.keywords or [])
            parent.centroid = _weighted_centroid(members).tobytes()
        parent.size = sum(t.size for t in members)
        parent.last_run_id = run.id
        parent.status = ThemeStatus.ACTIVE


def _record_lineage(
    session: Session,
    run: AnalysisRun,
    stored: dict[int, ThemeParent],
    parents: Sequence[ThemeParent],
    members_of: Sequence[Sequence[Theme]],
    children: dict[int, set[int]],
) -> None:
    alive = {p.id for p in parents}
    for parent, members in zip(parents, members_of, strict=True):
        ids = sorted(t.id for t in members)
        origins = Counter(
            pid for pid, kids in children.items() for tid in ids if tid in kids and pid != parent.id
        )
        if parent.id in stored:
            kind = LineageKind.CONTINUED
        elif origins:
            kind = LineageKind.SPLIT
        else:
            kind = LineageKind.NEW
        session.add(
            ThemeParentLineage(
                run_id=run.id,
                kind=kind,
                parent_id=parent.id,
                related_parent_ids=sorted(origins) if kind == LineageKind.SPLIT else [],
                theme_ids=ids,
                size=parent.size,
            )
        )
    owner = {t.id: parent.id for parent, ms in zip(parents, members_of, strict=True) for t in ms}
    for pid, old in sorted(stored.items()):
        if pid in alive:
            continue
        receivers = Counter(owner[t] for t in children[pid] if t in owner)
        target = receivers.most_common(1)[0][0] if receivers else None
        old.status, old.retired_run_id = ThemeStatus.RETIRED, run.id
        kind = LineageKind.RETIRED
        if target is not None:
            old.merged_into_id, kind = target, LineageKind.MERGED
        session.add(
            ThemeParentLineage(
                run_id=run.id,
                kind=kind,
                parent_id=pid,
                related_parent_ids=[target] if target is not None else [],
                theme_ids=[],
                size=0,
            )
        )
