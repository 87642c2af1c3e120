"""Split helpers: re-cluster a theme's cached embeddings (KMeans) or move chosen items out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from nlp.keywords import class_tfidf
from nlp.representatives import pick_representatives
from nlp.types import DiscoveryParams
from voc.errors import InvalidInput
from voc.feedback.models import EmbeddingCache, Feedback
from voc.theme.models import Theme, ThemeStatus

MAX_K = 10
N_REPRESENTATIVES = DiscoveryParams().n_representatives  # as many as a discovered theme keeps


def _vectors(session: Session, ids: Sequence[int]) -> tuple[list[int], npt.NDArray[np.float32]]:
    """Cached embeddings of the items, from the model that covers most of them."""
    rows = session.execute(
        select(Feedback.id, EmbeddingCache.model_id, EmbeddingCache.vector)
        .join(EmbeddingCache, EmbeddingCache.text_hash == Feedback.text_hash)
        .where(Feedback.id.in_(list(ids)))
    ).all()
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    model_id = Counter(r[1] for r in rows).most_common(1)[0][0]
    chosen = sorted((r[0], r[2]) for r in rows if r[1] == model_id)
    matrix = np.stack([np.frombuffer(v, dtype=np.float32) for _, v in chosen])
    return [fid for fid, _ in chosen], matrix


def _texts(session: Session, ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(select(Feedback.id, Feedback.text).where(Feedback.id.in_(list(ids))))
    return {int(fid): text for fid, text in rows}


def _new_theme(
    session: Session, parent: Theme, label: str, keywords: Sequence[str], ids: Sequence[int],
    vectors: npt.NDArray[np.float32] | None, texts: Mapping[int, str],
) -> Theme:  # fmt: skip
    centroid: bytes | None = None
    representatives = list(ids[:N_REPRESENTATIVES])
    if vectors is not None and len(vectors):
        mean = vectors.mean(axis=0)
        mean = mean / (np.linalg.norm(mean) or 1.0)
        centroid = mean.astype(np.float32).tobytes()
        # the rule a discovered theme's are picked by: closest, distinct, of medium length
        picked = pick_representatives(
            vectors, [texts[i] for i in ids], np.arange(len(ids)), mean, count=N_REPRESENTATIVES
        )
        representatives = [int(ids[i]) for i in picked]
    theme = Theme(
        status=ThemeStatus.ACTIVE,
        machine_label=label[:255],
        keywords=list(keywords),
        representative_ids=representatives,
        centroid=centroid,
        size=len(ids),
        created_run_id=parent.last_run_id,
        last_run_id=parent.last_run_id,
        is_hidden=False,
    )
    session.add(theme)
    session.flush()
    return theme


def _label(parent: Theme, keywords: Sequence[str], part: int) -> str:
    if keywords:
        return " / ".join(k.capitalize() for k in keywords[:2])
    return f"{parent.label} (part {part})"


def split_by_ids(
    session: Session, *, theme: Theme, members: Sequence[int], chosen: Sequence[int]
) -> list[tuple[Theme, list[int]]]:
    """One new theme holding the chosen items (which must belong to ``theme``)."""
    member_set = set(members)
    ids = sorted({int(i) for i in chosen})
    if not ids:
        raise InvalidInput("feedback_ids: choose at least one item to move out")
    if outside := [i for i in ids if i not in member_set]:
        raise InvalidInput(f"feedback_ids: items not in theme {theme.id}: {outside[:10]}")
    if len(ids) == len(member_set):
        raise InvalidInput("feedback_ids: leave at least one item in the theme")
    texts = _texts(session, members)
    labels = np.array([1 if m in set(ids) else 0 for m in members], dtype=np.int64)
    terms = class_tfidf([texts[m] for m in members], labels, 2, min_df=1, top_n=8)
    vector_ids, matrix = _vectors(session, ids)
    vectors = matrix if len(vector_ids) == len(ids) else None
    keywords = terms.keywords[1]
    new = _new_theme(session, theme, _label(theme, keywords, 2), keywords, ids, vectors, texts)
    return [(new, ids)]


def split_by_kmeans(
    session: Session, *, theme: Theme, members: Sequence[int], k: int, seed: int
) -> list[tuple[Theme, list[int]]]:
    """Re-cluster the theme's items into ``k``; the largest part stays, the others are new."""
    if not 2 <= k <= MAX_K:
        raise InvalidInput(f"k: between 2 and {MAX_K}")
    ids, matrix = _vectors(session, members)
    if len(ids) < k * 2:
        raise InvalidInput(
            f"theme {theme.id} has {len(ids)} items with embeddings; "
            f"at least {k * 2} are needed to split it into {k}"
        )
    from sklearn.cluster import KMeans

    labels = KMeans(n_clusters=k, random_state=seed, n_init=4).fit_predict(matrix)
    sizes = np.bincount(labels, minlength=k)
    order = [int(c) for c in np.argsort(-sizes, kind="stable")]
    texts = _texts(session, ids)
    remap = np.array([order.index(int(c)) for c in labels], dtype=np.int64)
    terms = class_tfidf([texts[i] for i in ids], remap, k, min_df=1, top_n=8)
    created: list[tuple[Theme, list[int]]] = []
    for part in range(1, k):  # part 0, the largest, stays in the original theme
        rows = np.flatnonzero(remap == part)
        part_ids = [ids[i] for i in rows]
        keywords = terms.keywords[part]
        label = _label(theme, keywords, part + 1)
        created.append(
            (_new_theme(session, theme, label, keywords, part_ids, matrix[rows], texts), part_ids)
        )
    return created
