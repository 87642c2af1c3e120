"""Theme ids survive growth: discover, add 20% more items of the same themes, re-discover.

The re-analysis goes through ``nlp.continuity.continue_themes``, the same reconciliation the
product's runs use (a fresh discovery alone is free to cut the grown data differently).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nlp.continuity import PriorState, continue_themes
from nlp.discovery import discover_themes

Corpus = tuple[list[str], list[str]]


def test_at_least_90_percent_of_earlier_items_keep_their_theme_id(
    corpus: Corpus, corpus_embeddings: npt.NDArray[np.float32]
) -> None:
    texts = corpus[0]
    n = len(texts)
    n_before = round(n / 1.2)
    before = discover_themes(corpus_embeddings[:n_before], texts[:n_before], seed=42)
    prior = PriorState(
        theme_ids=tuple(f"theme-{t.index}" for t in before.themes),
        centroids=np.stack([t.centroid for t in before.themes]).astype(np.float32),
        previous=np.concatenate([before.labels, np.full(n - n_before, -1, dtype=np.int64)]),
    )
    fresh = discover_themes(corpus_embeddings, texts, seed=42)
    kept = continue_themes(corpus_embeddings, texts, fresh, prior, seed=42)

    old_ids = {i: f"theme-{label}" for i, label in enumerate(before.labels) if label >= 0}
    new_labels = kept.result.labels
    same = sum(
        1
        for i, theme_id in old_ids.items()
        if new_labels[i] >= 0 and kept.theme_ids[int(new_labels[i])] == theme_id
    )
    assert len(old_ids) >= 0.9 * n_before  # the first run itself covers the corpus
    assert same / n_before >= 0.9
    # The grown items of known themes land in stored themes, not in new ones.
    grown = new_labels[n_before:]
    in_stored = sum(1 for label in grown if label >= 0 and kept.theme_ids[int(label)] is not None)
    assert in_stored / len(grown) >= 0.8
