"""Short readable theme labels ("Card not arrived") picked from member-text phrases.

A candidate is a 1-4 word n-gram of a member text (after dropping filler words such as "my"
and "the") that starts and ends with a content word. It scores by coverage (share of the
theme's texts containing it) times precision (share of all texts containing it that belong
to the theme) times the c-TF-IDF weight of its words, with a preference for 2-3 words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from nlp.keywords import MAX_TEXTS_PER_THEME

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "its",
        "this",
        "that",
        "these",
        "those",
        "me",
        "i",
        "i'm",
        "im",
        "please",
        "pls",
        "just",
        "really",
        "very",
        "so",
        "some",
        "any",
    ]
)
# Words that make a poor first or last word of a label ("Card did", "Want to").
_WEAK_EDGE = frozenset(
    [
        "does",
        "did",
        "doesn't",
        "didn't",
        "don't",
        "can't",
        "won't",
        "isn't",
        "hasn't",
        "haven't",
        "wasn't",
        "i've",
        "it's",
        "i'd",
        "want",
        "wanted",
        "need",
        "needed",
        "like",
        "would",
        "could",
        "should",
        "will",
        "shall",
        "get",
        "got",
        "getting",
        "keep",
        "keeps",
        "make",
        "made",
        "let",
        "lets",
        "know",
        "way",
        "thing",
        "things",
        "use",
        "using",
        "used",
        "ok",
        "okay",
        "hi",
        "hello",
        "thanks",
    ]
)
_LENGTH_WEIGHT = {1: 0.45, 2: 1.0, 3: 0.95, 4: 0.75}
_MAX_WORDS = 4
_MIN_COVERAGE = 0.05
# A longer phrase replaces a winning single word when at least one in ten of its uses say it.
_WIDEN_SHARE = 0.1
_ACRONYM_SAMPLE = 200


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _FILLER | _WEAK_EDGE


def _phrases(text: str, stop: frozenset[str]) -> set[str]:
    words = [w for w in _TOKEN.findall(text.lower()) if w not in _FILLER]
    found = set()
    for size in range(1, _MAX_WORDS + 1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if (
                gram[0] in stop
                or gram[-1] in stop
                or not (gram[0][0].isalpha() and gram[-1][0].isalpha())
            ):
                continue
            found.add(" ".join(gram))
    return found


def _member_phrase_counts(
    texts: Sequence[str], members: list[npt.NDArray[np.intp]], stop: frozenset[str]
) -> list[Counter[str]]:
    counts = []
    for idx in members:
        counter: Counter[str] = Counter()
        for i in idx[:MAX_TEXTS_PER_THEME]:
            counter.update(_phrases(texts[i], stop))
        counts.append(counter)
    return counts


def _best_phrases(
    counter: Counter[str],
    size: int,
    totals: Counter[str],
    weights: dict[str, float],
) -> list[str]:
    scored = []
    for phrase, df in counter.items():
        coverage = df / size
        if coverage < _MIN_COVERAGE or df < 2:
            continue
        words = phrase.split()
        precision = df / totals[phrase]
        weight = sum(weights.get(w, 0.0) for w in words) / len(words)
        # Phrases naming the theme's top c-TF-IDF term describe it best.
        top = 2.5 if max((weights.get(w, 0.0) for w in words), default=0.0) >= 1.0 else 1.0
        score = coverage * precision * _LENGTH_WEIGHT[len(words)] * (0.5 + weight) * top
        scored.append((-score, phrase))
    scored.sort()
    return [phrase for _, phrase in scored]


def _widen(ranked: list[str], counter: Counter[str], stop: frozenset[str]) -> str:
    """Prefer a 2-3 word phrase around a winning single word when enough members say it.

    A lone word ("Expire", "Hold", "Wait") rarely tells a reader what the theme is about;
    the best-ranked longer phrase that contains it ("Card expire", "Health benefits",
    "Wait time") does, as long as it adds a content word ("Wait and wait" does not) and is
    common enough in the theme to stand for it.
    """
    best = ranked[0]
    if " " in best:
        return best
    floor = _WIDEN_SHARE * counter[best]
    for phrase in ranked[1:]:
        words = phrase.split()
        adds_a_word = any(w != best and w not in stop for w in words)
        if len(words) in (2, 3) and best in words and adds_a_word and counter[phrase] >= floor:
            return phrase
    return best


def _capitalise(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def make_labels(
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    keywords: Sequence[Sequence[str]],
    keyword_weights: Sequence[dict[str, float]],
) -> tuple[str, ...]:
    """Return one distinct, capitalised 1-5 word label per theme."""
    stop = _stop_words()
    n_themes = len(keywords)
    members = [np.flatnonzero(labels == t) for t in range(n_themes)]
    counts = _member_phrase_counts(texts, members, stop)
    totals: Counter[str] = Counter()
    for counter in counts:
        totals.update(counter)
    chosen: list[str] = []
    for theme in range(n_themes):
        size = min(members[theme].size, MAX_TEXTS_PER_THEME)
        ranked = _best_phrases(counts[theme], max(1, size), totals, keyword_weights[theme])
        fallback = " ".join(keywords[theme][:2]) if keywords[theme] else f"theme {theme + 1}"
        chosen.append(_widen(ranked, counts[theme], stop) if ranked else fallback)
    chosen = [_restore_acronyms(label, texts, members[t]) for t, label in enumerate(chosen)]
    return _deduplicate(chosen, keywords, [m.size for m in members])


def _restore_acronyms(label: str, texts: Sequence[str], members: npt.NDArray[np.intp]) -> str:
    """Write words upper-case when the members mostly do ("atm" -> "ATM", "pin" -> "PIN")."""
    words = label.split()
    upper: Counter[str] = Counter()
    total: Counter[str] = Counter()
    wanted = set(words)
    for i in members[:_ACRONYM_SAMPLE]:
        for token in re.findall(r"[A-Za-z0-9']+", texts[i]):
            lower = token.lower()
            if lower in wanted:
                total[lower] += 1
                upper[lower] += token.isupper() and len(token) > 1
    return " ".join(w.upper() if total[w] and upper[w] / total[w] > 0.5 else w for w in words)


def _deduplicate(
    chosen: list[str], keywords: Sequence[Sequence[str]], sizes: list[int]
) -> tuple[str, ...]:
    """Keep the largest theme's label; others with the same label get one more keyword."""
    taken: set[str] = set()
    out = [""] * len(chosen)
    for theme in sorted(range(len(chosen)), key=lambda t: (-sizes[t], t)):
        label = chosen[theme]
        if label in taken:
            words = set(label.split())
            extras = [k for k in keywords[theme] if " " not in k and k not in words]
            candidates = [f"{label} {k}" for k in extras] + [
                f"{label} {n}" for n in range(2, len(chosen) + 2)
            ]
            label = next(c for c in candidates if c not in taken)
        taken.add(label)
        out[theme] = label
    return tuple(_capitalise(label) for label in out)
