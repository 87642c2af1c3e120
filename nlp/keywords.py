"""Class-based TF-IDF keywords per theme (the c-TF-IDF of BERTopic)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nlp.label_rules import keyword_stop_words

# Per theme at most this many member texts feed the keywords: bounds time at 1M items.
MAX_TEXTS_PER_THEME = 500


@dataclass(frozen=True)
class ThemeTerms:
    """c-TF-IDF matrix (themes x terms) with its vocabulary and top keywords per theme."""

    vocabulary: tuple[str, ...]
    scores: sparse.csr_matrix
    keywords: tuple[tuple[str, ...], ...]


def _capped_members(
    labels: npt.NDArray[np.int64], n_themes: int, seed: int
) -> list[npt.NDArray[np.intp]]:
    rng = np.random.default_rng(seed)
    members = []
    for theme in range(n_themes):
        idx = np.flatnonzero(labels == theme)
        if idx.size > MAX_TEXTS_PER_THEME:
            idx = np.sort(rng.choice(idx, MAX_TEXTS_PER_THEME, replace=False))
        members.append(idx)
    return members


def class_tfidf(
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    n_themes: int,
    *,
    min_df: int = 2,
    top_n: int = 10,
    seed: int = 42,
) -> ThemeTerms:
    """Compute c-TF-IDF over themes (1-2 grams, English stop words) and the top_n keywords.

    The stop words are scikit-learn's English list less the nouns people name things with
    ("bill", "name", "interest": :data:`nlp.label_rules.CONTENT_NOUNS`).
    """
    from sklearn.feature_extraction.text import CountVectorizer

    members = _capped_members(labels, n_themes, seed)
    docs = [" ".join(texts[i] for i in idx) for idx in members]
    vectorizer = CountVectorizer(ngram_range=(1, 2), stop_words=keyword_stop_words())
    try:
        counts = vectorizer.fit_transform(docs)
    except ValueError:  # only stop words or empty texts
        empty = sparse.csr_matrix((n_themes, 0), dtype=np.float64)
        return ThemeTerms(vocabulary=(), scores=empty, keywords=tuple(() for _ in docs))
    counts = _drop_rare_terms(counts, min_df)
    vocabulary = tuple(vectorizer.get_feature_names_out())
    scores = _ctfidf(counts)
    keywords = tuple(_top_terms(scores, row, vocabulary, top_n) for row in range(n_themes))
    return ThemeTerms(vocabulary=vocabulary, scores=scores, keywords=keywords)


def _drop_rare_terms(counts: sparse.csr_matrix, min_df: int) -> sparse.csr_matrix:
    """Zero terms occurring fewer than min_df times in total (typos, ids, names)."""
    if min_df <= 1:
        return counts
    totals = np.asarray(counts.sum(axis=0)).ravel()
    keep = sparse.diags((totals >= min_df).astype(np.float64))
    kept = sparse.csr_matrix(counts @ keep)
    kept.eliminate_zeros()
    return kept


def _ctfidf(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Weight class term counts: L1 term frequency times log(1 + avg words / term frequency)."""
    counts = sparse.csr_matrix(counts, dtype=np.float64)
    term_freq = np.asarray(counts.sum(axis=0)).ravel()
    words_per_class = float(counts.sum()) / max(1, counts.shape[0])
    idf = np.log1p(words_per_class / np.maximum(term_freq, 1.0))
    row_sums = np.asarray(counts.sum(axis=1)).ravel()
    row_sums[row_sums == 0] = 1.0
    tf = sparse.diags(1.0 / row_sums) @ counts
    return sparse.csr_matrix(tf @ sparse.diags(idf))


def _top_terms(
    scores: sparse.csr_matrix, row: int, vocabulary: tuple[str, ...], top_n: int
) -> tuple[str, ...]:
    start, end = scores.indptr[row], scores.indptr[row + 1]
    cols, vals = scores.indices[start:end], scores.data[start:end]
    nonzero = vals > 0
    cols, vals = cols[nonzero], vals[nonzero]
    # Sort by score, then by term for deterministic ties.
    order = sorted(range(cols.size), key=lambda i: (-vals[i], vocabulary[cols[i]]))
    return tuple(vocabulary[cols[i]] for i in order[:top_n])
