"""How a request and a theme are scored against each other, for all pairs at once (pure numpy).

A pair's **match** is ``CENTROID_WEIGHT`` x cosine(request text, theme centroid) + the rest x
the mean cosine of the request text to the theme's ``TOP_QUOTES`` closest representative quotes,
plus ``LEXICAL_WEIGHT`` x the share of the request's content words (IDF-weighted, BM25-saturated)
found in the theme's quotes and c-TF-IDF keywords. Embeddings of near-synonym intents sit close
("Card payment wrong exchange rate" and "Wrong exchange rate for cash withdrawal"): the words a
theme's customers use tell them apart.

Suggestions are ordered by the **contrast** ``match - hub(request) - hub(theme)``, a hub being
the mean of that side's ``HUB_K`` best matches (cross-domain similarity local scaling): a short,
generic request ("Activate the card") is close to many themes and should not win each of them.
In one direction the own side's hub is a constant, so a theme's requests are ranked by
``match - hub(request)`` and a request's themes by ``match - hub(theme)``. The match is what is
shown and thresholded (``settings.requests.suggest_min_score``); the contrast only orders.

Measured (both data sets, one run): ``bench/request_links.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from scipy import sparse

CENTROID_WEIGHT = 0.5
TOP_QUOTES = 3
LEXICAL_WEIGHT = 0.2
HUB_K = 5
BM25_K1, BM25_B = 1.2, 0.75
_SUFFIXES = ("ing", "ed", "es", "s")

FloatArray = npt.NDArray[np.float32]


@cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _stem(word: str) -> str:
    """A crude stem, so that "linking", "linked" and "links" meet "link" (stem kept >= 3)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> list[str]:
    """The stemmed content words of a text (stop words out), in order, repeats kept."""
    stop = _stop_words()
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in stop]


@dataclass(frozen=True)
class ThemeText:
    """What a theme is matched by in words: its representative quotes and its keywords."""

    quotes: Sequence[str]
    keywords: Sequence[str]

    def terms(self) -> list[str]:
        """The theme's document: the quotes' and the keywords' content words."""
        return content_terms(" ".join([*self.quotes, *self.keywords]))


def lexical_matrix(request_texts: Sequence[str], themes: Sequence[ThemeText]) -> FloatArray:
    """(requests x themes) share of each request's IDF mass found in each theme, in [0, 1].

    BM25 over the themes' documents, divided by the request's best possible BM25 (each of its
    words saturated in every theme), so that the share is comparable with a cosine.
    """
    docs = [Counter(t.terms()) for t in themes]
    queries = [set(content_terms(text)) for text in request_texts]
    vocabulary = {w: i for i, w in enumerate(sorted(set().union(*queries) if queries else set()))}
    out = np.zeros((len(request_texts), len(themes)), dtype=np.float32)
    if not vocabulary or not docs:
        return out
    n_docs = len(docs)
    lengths = np.array([sum(d.values()) for d in docs], dtype=np.float64)
    norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / max(float(lengths.mean()), 1.0))
    rows, cols, values = [], [], []
    for j, doc in enumerate(docs):
        for word, count in doc.items():
            if word in vocabulary:
                rows.append(j)
                cols.append(vocabulary[word])
                values.append(count * (BM25_K1 + 1) / (count + norm[j]))
    tf = sparse.csr_matrix((values, (rows, cols)), shape=(n_docs, len(vocabulary)))
    df = np.asarray((tf > 0).sum(axis=0)).ravel()
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    weights = np.zeros((len(queries), len(vocabulary)))
    for i, words in enumerate(queries):
        for word in words:
            weights[i, vocabulary[word]] = idf[vocabulary[word]]
    mass = weights.sum(axis=1, keepdims=True) * (BM25_K1 + 1)
    scores = np.asarray(tf @ weights.T).T  # (requests x themes)
    np.divide(scores, mass, out=scores, where=mass > 0)
    out[:] = scores
    return out


def semantic(
    request_vectors: FloatArray, centroid: FloatArray | None, quotes: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(match, centroid similarity, quote similarity) of many requests to one theme.

    Without quotes the centroid stands for them; without a centroid, the quotes.
    """
    n = len(request_vectors)
    cen: FloatArray = np.zeros(n, dtype=np.float32)
    has_centroid = centroid is not None and centroid.shape == request_vectors.shape[1:]
    if has_centroid and centroid is not None:
        norm = float(np.linalg.norm(centroid))
        cen = (request_vectors @ (centroid / norm if norm > 0 else centroid)).astype(np.float32)
    if len(quotes) and quotes.shape[1] == request_vectors.shape[1]:
        sims = request_vectors @ quotes.T
        quote: FloatArray = (
            np.sort(sims, axis=1)[:, ::-1][:, :TOP_QUOTES].mean(axis=1).astype(np.float32)
        )
    else:
        quote = cen
    if not has_centroid:
        cen = quote
    match = CENTROID_WEIGHT * cen + (1 - CENTROID_WEIGHT) * quote
    return match.astype(np.float32), cen.astype(np.float32), quote.astype(np.float32)


def _hubs(match: FloatArray, axis: int) -> FloatArray:
    """Mean of the ``HUB_K`` best matches of each row (axis 1) or each column (axis 0)."""
    if match.shape[axis] == 0:
        return np.zeros(match.shape[1 - axis], dtype=np.float32)
    k = min(HUB_K, match.shape[axis])
    best = -np.partition(-match, k - 1, axis=axis)
    top = best[:, :k] if axis == 1 else best[:k, :]
    hubs: FloatArray = top.mean(axis=axis).astype(np.float32)
    return hubs


def contrast(match: FloatArray) -> FloatArray:
    """(requests x themes) ``match - hub(request) - hub(theme)``: the order of suggestions."""
    return match - _hubs(match, axis=1)[:, None] - _hubs(match, axis=0)[None, :]


def with_lexical(semantic_match: FloatArray, lexical: FloatArray) -> FloatArray:
    """The shown match: the semantic match plus the weighted word overlap."""
    return semantic_match + LEXICAL_WEIGHT * lexical
