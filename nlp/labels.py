"""Short readable theme labels ("Card not arrived") picked from member-text phrases.

Candidates follow the rules of :mod:`nlp.label_rules` (contiguous words of one clause, a
content word at each end, no dangling modifier or verb, no date word, not the product's name).
A candidate nearly always said inside a longer candidate ("center articles" inside "help
center articles") gives way to it, so a label keeps its head word.

Each candidate scores by coverage (share of the theme's texts containing it) times precision
(share of all texts containing it that belong to the theme) times the c-TF-IDF weight of its
words, with a preference for 2-3 words (``ranking="ctfidf"``). With an embedding function,
the best candidates of every theme by that score (at most eight, each reaching a tenth of the
theme's best score) are embedded in one batch and ranked by their closeness to the theme's
centroid (KeyBERT-style): ``"centroid"`` (the default) ranks them by
closeness alone, ``"hybrid"`` by closeness times the c-TF-IDF score. ``bench/theme_labels.py``
compares them: closeness reads best on banking77, clinc150 and the demo sample.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from nlp.keywords import MAX_TEXTS_PER_THEME
from nlp.label_rules import content_words, phrases, product_words, stop_words
from nlp.types import LabelRanking

Ranking = LabelRanking
PhraseEmbedder = Callable[[Sequence[str]], npt.NDArray[np.float32]]

_LENGTH_WEIGHT = {1: 0.45, 2: 1.0, 3: 0.95, 4: 0.75}
_MIN_COVERAGE = 0.05
# A longer phrase replaces a winning single word when at least one in ten of its uses say it.
_WIDEN_SHARE = 0.1
# A phrase said inside one longer phrase at least this often is that phrase, cut short.
_DOMINATED_SHARE = 0.8
# Candidates per theme that the embedding ranking looks at (the best by c-TF-IDF score).
_EMBED_POOL = 8
_ACRONYM_SAMPLE = 200
# The closeness ranking looks only at candidates scoring at least this share of the theme's best
# c-TF-IDF score: a phrase few members say does not win by being close to the centroid.
_POOL_SHARE = 0.1


def _member_phrase_counts(
    texts: Sequence[str],
    members: list[npt.NDArray[np.intp]],
    stop: frozenset[str],
    product: frozenset[str],
) -> list[Counter[str]]:
    counts = []
    for idx in members:
        counter: Counter[str] = Counter()
        for i in idx[:MAX_TEXTS_PER_THEME]:
            counter.update(phrases(texts[i], stop, product))
        counts.append(_drop_dominated(counter))
    return counts


def _drop_dominated(counter: Counter[str]) -> Counter[str]:
    """Remove phrases that members nearly always say inside one longer candidate."""
    longest: dict[str, int] = {}
    for phrase, count in counter.items():
        words = phrase.split()
        if len(words) < 2:
            continue
        for part in (" ".join(words[:-1]), " ".join(words[1:])):
            longest[part] = max(longest.get(part, 0), count)
    return Counter({p: c for p, c in counter.items() if longest.get(p, 0) < _DOMINATED_SHARE * c})


def _scored_phrases(
    counter: Counter[str],
    size: int,
    totals: Counter[str],
    weights: dict[str, float],
    stop: frozenset[str],
) -> list[tuple[float, str]]:
    """(score, phrase), best first, for phrases said by enough of the theme's members."""
    scored = []
    for phrase, df in counter.items():
        coverage = df / size
        if coverage < _MIN_COVERAGE or df < 2:
            continue
        words = phrase.split()
        content = content_words(phrase, stop) or words
        precision = df / totals[phrase]
        weight = sum(weights.get(w, 0.0) for w in content) / len(content)
        # Phrases naming the theme's top c-TF-IDF term describe it best.
        top = 2.5 if max((weights.get(w, 0.0) for w in content), default=0.0) >= 1.0 else 1.0
        length = _LENGTH_WEIGHT[min(len(words), 4)]
        score = coverage * precision * length * (0.5 + weight) * top
        scored.append((score, phrase))
    scored.sort(key=lambda sp: (-sp[0], sp[1]))
    return scored


def _widen(ranked: list[str], counter: Counter[str], stop: frozenset[str]) -> list[str]:
    """Put first a 2-3 word phrase around a winning single word when enough members say it.

    A lone word ("Expire", "Hold", "Wait") rarely tells a reader what the theme is about;
    the best-ranked longer phrase that contains it ("Card expire", "Wait time") does, as long
    as it adds a content word ("Wait and wait" does not) and is common enough in the theme.
    """
    best = ranked[0]
    if " " in best:
        return ranked
    floor = _WIDEN_SHARE * counter[best]
    for phrase in ranked[1:]:
        words = phrase.split()
        adds_a_word = any(w != best and w not in stop for w in words)
        if len(words) in (2, 3) and best in words and adds_a_word and counter[phrase] >= floor:
            return [phrase, *(p for p in ranked if p != phrase)]
    return ranked


def _embed_pool(pool: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """The theme's best candidates by c-TF-IDF score that reach a tenth of the best one's."""
    if not pool:
        return pool
    floor = _POOL_SHARE * pool[0][0]
    return [sp for sp in pool[:_EMBED_POOL] if sp[0] >= floor]


def _rerank_by_centroid(
    pools: list[list[tuple[float, str]]],
    centroids: npt.NDArray[np.float32],
    embed: PhraseEmbedder,
    ranking: Ranking,
) -> list[list[str]]:
    """Rank each theme's best candidates by closeness to its centroid (one embedding batch)."""
    heads = [_embed_pool(pool) for pool in pools]
    unique = sorted({phrase for head in heads for _, phrase in head})
    if not unique:
        return [[p for _, p in pool] for pool in pools]
    vectors = np.asarray(embed(unique), dtype=np.float32)
    row = {phrase: i for i, phrase in enumerate(unique)}
    units = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    out: list[list[str]] = []
    for theme, head in enumerate(heads):
        if not head:
            out.append([])
            continue
        best_score = head[0][0] or 1.0
        rescored = []
        for score, phrase in head:
            closeness = max(0.0, float(vectors[row[phrase]] @ units[theme]))
            value = closeness if ranking == "centroid" else closeness * score / best_score
            rescored.append((value, phrase))
        rescored.sort(key=lambda vp: (-vp[0], vp[1]))
        picked = {p for _, p in head}
        rest = [p for _, p in pools[theme] if p not in picked]
        out.append([p for _, p in rescored] + rest)
    return out


def _capitalise(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def make_labels(
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    keywords: Sequence[Sequence[str]],
    keyword_weights: Sequence[dict[str, float]],
    *,
    centroids: npt.NDArray[np.float32] | None = None,
    embed: PhraseEmbedder | None = None,
    product_names: Sequence[str] = (),
    ranking: Ranking = "centroid",
) -> tuple[str, ...]:
    """Return one distinct, capitalised label of 1-4 words per theme.

    ``embed`` (texts -> unit vectors, the model that embedded the items) and ``centroids``
    enable the centroid ranking; without them, or with ``ranking="ctfidf"``, c-TF-IDF ranks.
    ``product_names`` never start or end a label.
    """
    stop = stop_words()
    product = product_words(product_names)
    n_themes = len(keywords)
    members = [np.flatnonzero(labels == t) for t in range(n_themes)]
    counts = _member_phrase_counts(texts, members, stop, product)
    totals: Counter[str] = Counter()
    for counter in counts:
        totals.update(counter)
    pools = [
        _scored_phrases(
            counts[t],
            max(1, min(members[t].size, MAX_TEXTS_PER_THEME)),
            totals,
            keyword_weights[t],
            stop,
        )
        for t in range(n_themes)
    ]
    if embed is not None and centroids is not None and ranking != "ctfidf":
        ranked = _rerank_by_centroid(pools, centroids, embed, ranking)
    else:
        ranked = [[p for _, p in pool] for pool in pools]
    ranked = [_widen(r, counts[t], stop) if r else r for t, r in enumerate(ranked)]
    fallbacks = [_fallback(keywords[t], stop, product, t) for t in range(n_themes)]
    chosen = _deduplicate(ranked, fallbacks, [m.size for m in members])
    return tuple(
        _capitalise(_restore_case(label, texts, members[t])) for t, label in enumerate(chosen)
    )


def _fallback(
    keywords: Sequence[str], stop: frozenset[str], product: frozenset[str], theme: int
) -> str:
    """The theme's first keywords that are not the product's name, or a numbered name."""
    words = [k for k in keywords if not (set(k.split()) & product)]
    return " ".join(words[:2]) if words else f"theme {theme + 1}"


def _restore_case(label: str, texts: Sequence[str], members: npt.NDArray[np.intp]) -> str:
    """Write words as the members mostly do inside a sentence ("atm" -> "ATM", "Trello")."""
    words = label.split()
    forms: dict[str, Counter[str]] = {w: Counter() for w in words}
    for i in members[:_ACRONYM_SAMPLE]:
        for sentence in re.split(r"[.!?\n]+", texts[i]):
            for token in re.findall(r"[A-Za-z0-9']+", sentence)[1:]:  # not the capital opening
                if (lower := token.lower()) in forms:
                    forms[lower][token] += 1
    out = []
    for word in words:
        total = sum(forms[word].values())
        form, count = forms[word].most_common(1)[0] if total else (word, 0)
        out.append(form if count / max(1, total) > 0.5 and form != form.lower() else word)
    return " ".join(out)


def _deduplicate(ranked: list[list[str]], fallbacks: list[str], sizes: list[int]) -> list[str]:
    """Largest themes choose first; a theme whose best label is taken uses its next best.

    Labels count as taken by their content words in any order ("Card arrived" and "Arrived
    card" are one label), so siblings stay distinct to a reader.
    """
    taken: set[frozenset[str]] = set()
    out = [""] * len(ranked)
    for theme in sorted(range(len(ranked)), key=lambda t: (-sizes[t], t)):
        options = [*ranked[theme], fallbacks[theme]]
        options += [f"{fallbacks[theme]} {n}" for n in range(2, len(ranked) + 2)]
        label = next(o for o in options if frozenset(o.split()) not in taken)
        taken.add(frozenset(label.split()))
        out[theme] = label
    return out
