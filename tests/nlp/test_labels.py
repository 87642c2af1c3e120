"""Theme labels: short phrases from the members' own words."""

from __future__ import annotations

import numpy as np

from nlp.keywords import class_tfidf
from nlp.labels import make_labels

WAITING = [
    "The wait time at lunch was awful",
    "wait time on the phone line again",
    "Why do I have to wait so much",
    "we wait and wait",
    "I wait every morning for the page to load",
    "Another wait before anyone answers",
]
CARDS = [
    "My card arrived broken",
    "card arrived damaged in the mail",
    "The card never arrived",
    "new card arrived bent",
    "card arrived but the chip is broken",
    "the card arrived cracked",
]


def _labels(texts: list[str], labels: list[int]) -> tuple[str, ...]:
    array = np.array(labels, dtype=np.int64)
    n_themes = max(labels) + 1
    terms = class_tfidf(texts, array, n_themes, min_df=1)
    weights = [{k: 1.0 / (1 + i) for i, k in enumerate(kw)} for kw in terms.keywords]
    return make_labels(texts, array, terms.keywords, weights)


def test_a_lone_word_widens_to_the_phrase_members_use() -> None:
    labels = _labels(WAITING + CARDS, [0] * len(WAITING) + [1] * len(CARDS))
    assert labels == ("Wait time", "Card arrived")


def test_a_rare_longer_phrase_does_not_replace_the_word() -> None:
    waiting = [
        "The wait at lunch was awful",
        "wait on the phone line again",
        "Why do I have to wait so much",
        "we wait and wait",
        "I wait every morning for the page to load",
        "Another wait before anyone answers",
        "a long wait for support",
        "wait for the export",
        "the wait is too long",
        "wait again today",
        "wait at the checkout",
        "one more wait time complaint",
    ]
    labels = _labels(waiting + CARDS, [0] * len(waiting) + [1] * len(CARDS))
    assert labels[0] == "Wait"
    assert labels[1] == "Card arrived"


def test_a_phrase_that_only_repeats_the_word_is_not_a_label() -> None:
    waiting = [
        "we wait and wait",
        "wait and wait again",
        "so we wait and wait",
        "The wait at lunch was awful",
        "Why do I have to wait so much",
        "I wait every morning for the page to load",
    ]
    labels = _labels(waiting + CARDS, [0] * len(waiting) + [1] * len(CARDS))
    assert labels[0] == "Wait"
