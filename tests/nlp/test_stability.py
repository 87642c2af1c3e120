"""Theme ids survive growth: discover, add 20% more items of the same themes, re-discover."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nlp.discovery import discover_themes
from nlp.matching import CurrentCluster, PriorTheme, match_themes
from nlp.types import DiscoveryResult

Corpus = tuple[list[str], list[str]]


def _members(result: DiscoveryResult, index: int) -> frozenset[int]:
    return frozenset(np.flatnonzero(result.labels == index).tolist())


def test_at_least_90_percent_of_earlier_items_keep_their_theme_id(
    corpus: Corpus, corpus_embeddings: npt.NDArray[np.float32]
) -> None:
    texts = corpus[0]
    n_before = round(len(texts) / 1.2)
    before = discover_themes(corpus_embeddings[:n_before], texts[:n_before], seed=42)
    after = discover_themes(corpus_embeddings, texts, seed=42)
    prior = [
        PriorTheme(f"theme-{t.index}", t.centroid, _members(before, t.index)) for t in before.themes
    ]
    current = [CurrentCluster(t.index, t.centroid, _members(after, t.index)) for t in after.themes]
    matching = match_themes(prior, current)
    old_ids = {i: f"theme-{label}" for i, label in enumerate(before.labels) if label >= 0}
    new_ids = {
        i: matching.theme_ids[label]
        for i, label in enumerate(after.labels[:n_before])
        if label >= 0
    }
    kept = sum(1 for i, theme_id in old_ids.items() if new_ids.get(i) == theme_id)
    assert kept / n_before >= 0.9
