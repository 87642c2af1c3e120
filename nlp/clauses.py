"""Clause splitting and the item-level rule for mixed feedback.

Splitting: a text is cut at sentence ends (``.``, ``!``, ``?`` followed by a space), at ``;``,
at the contrastive conjunctions "but", "however", "although", "though", "whereas", "yet"
("though"/"yet" only after a comma or at a clause start, so "not yet fixed" stays whole), and at
a comma with at least three words on each side ("love the app, hate the new billing page").
Connectors and punctuation belong to no clause; "Mr." and similar do not end a sentence. A
clause needs a word of two or more letters; a text with fewer than two clauses is not split.

Item-level rule (``decide``), on calibrated probabilities; a clause is *confidently* positive
(negative) when its p_pos (p_neg) is at least ``MIXED_THRESHOLD`` (0.6):

1. If the text has both a confidently positive and a confidently negative clause, it is
   **mixed**: ``is_mixed=True`` and ``label`` is the label of the strongest of those clauses
   (highest confident probability; a tie goes to negative, the actionable side). It is never
   averaged into neutral.
2. Else, if the whole text reads neutral but one clause is confidently polar, ``label`` is that
   clause's polarity (a clear complaint is not diluted by neutral context).
3. Else ``label`` is the argmax of the whole-text probabilities.

``probabilities`` and ``score`` always describe the whole text, so sorting and averaging
(per-theme means, most negative quotes) stay on one calibrated scale; ``strongest_clause``
is the most polar clause of a split text (None when not split).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.sentiment_types import LABEL_ORDER, SentimentLabel, SentimentResult

MIXED_THRESHOLD = 0.6

_SENTENCE = re.compile(r"[.!?]+[\"')\]]*\s+|;\s*|\s*\n\s*")
_CONTRAST = re.compile(
    r"(?:,\s*|\s+|^)(?:but|however|although|whereas)\b[,\s]*|(?:,\s*|^)(?:though|yet)\b[,\s]*",
    re.IGNORECASE,
)
_COMMA = re.compile(r",\s+")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:mr|mrs|ms|dr|st|vs|etc|e\.g|i\.e|approx|no)\.$", re.I)
_WORD = re.compile(r"[^\W\d_]{2,}")
_MIN_COMMA_WORDS = 3
_TRIM_LEFT, _TRIM_RIGHT = " ,.;:-", " ,.;:-!?"


def _cut(
    text: str, spans: list[tuple[int, int]], pattern: re.Pattern[str], min_words: int = 0
) -> list[tuple[int, int]]:
    """Cut each span at the pattern's matches (keeping parts of at least ``min_words``)."""
    out = []
    for start, end in spans:
        piece, cursor = text[start:end], 0
        for match in pattern.finditer(piece):
            left = piece[cursor : match.start()]
            if pattern is _SENTENCE and _ABBREVIATION.search(piece[: match.start()] + "."):
                continue
            if min_words and (
                len(left.split()) < min_words or len(piece[match.end() :].split()) < min_words
            ):
                continue
            out.append((start + cursor, start + match.start()))
            cursor = match.end()
        out.append((start + cursor, end))
    return out


def split_clauses(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) character spans of the clauses of ``text``, in order."""
    spans = _cut(text, [(0, len(text))], _SENTENCE)
    spans = _cut(text, spans, _CONTRAST)
    spans = _cut(text, spans, _COMMA, _MIN_COMMA_WORDS)
    out = []
    for start, end in spans:
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip(_TRIM_LEFT))
        right = len(piece.rstrip(_TRIM_RIGHT))
        if right > left and _WORD.search(piece[left:right]):
            out.append((start + left, start + right))
    return out


def decide(
    whole: Sequence[float],
    clauses: Sequence[tuple[str, Sequence[float]]] = (),
    threshold: float = MIXED_THRESHOLD,
) -> SentimentResult:
    """Apply the item-level rule to whole-text and clause probabilities (neg, neu, pos)."""
    probs = (float(whole[0]), float(whole[1]), float(whole[2]))
    whole_label = LABEL_ORDER[max(range(3), key=lambda i: probs[i])]
    if len(clauses) < 2:
        return SentimentResult(whole_label, probs[2] - probs[0], probs, False, None)
    strongest_text, _ = max(clauses, key=lambda c: max(c[1][0], c[1][2]))
    confident = [
        (max(p[0], p[2]), SentimentLabel.NEGATIVE if p[0] >= p[2] else SentimentLabel.POSITIVE)
        for _, p in clauses
        if max(p[0], p[2]) >= threshold
    ]
    polarities = {label for _, label in confident}
    is_mixed = len(polarities) == 2
    label = whole_label
    if is_mixed:
        best = max(p for p, _ in confident)
        top = {lab for p, lab in confident if p == best}
        label = SentimentLabel.NEGATIVE if SentimentLabel.NEGATIVE in top else top.pop()
    elif confident and whole_label is SentimentLabel.NEUTRAL:
        label = polarities.pop()
    return SentimentResult(label, probs[2] - probs[0], probs, is_mixed, strongest_text)
