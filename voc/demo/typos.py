"""Seeded typo injector: the slips people make when typing feedback in a hurry."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

_CONTRACTIONS = (
    ("don't", "dont"),
    ("can't", "cant"),
    ("doesn't", "doesnt"),
    ("I'm", "im"),
    ("it's", "its"),
    ("didn't", "didnt"),
    ("isn't", "isnt"),
    ("won't", "wont"),
)


def _mutate_word(rng: random.Random, text: str, edit: Callable[[str], str]) -> str:
    tokens = text.split(" ")
    for _ in range(8):  # a plain word of four letters or more; never a URL, number or name
        index = rng.randrange(len(tokens))
        word = tokens[index].rstrip(",.!?:;")
        if len(word) >= 4 and word.isalpha() and word.islower():
            tokens[index] = edit(word) + tokens[index][len(word) :]
            return " ".join(tokens)
    return text


def _swap(rng: random.Random, text: str) -> str:
    def edit(word: str) -> str:
        i = rng.randint(1, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    return _mutate_word(rng, text, edit)


def _drop(rng: random.Random, text: str) -> str:
    def edit(word: str) -> str:
        i = rng.randint(1, len(word) - 1)
        return word[:i] + word[i + 1 :]

    return _mutate_word(rng, text, edit)


def _double(rng: random.Random, text: str) -> str:
    def edit(word: str) -> str:
        i = rng.randint(1, len(word) - 1)
        return word[:i] + word[i] + word[i:]

    return _mutate_word(rng, text, edit)


def _lowercase(rng: random.Random, text: str) -> str:
    return text.lower()


def _no_final_punctuation(rng: random.Random, text: str) -> str:
    return text.rstrip(".!")


def _no_apostrophes(rng: random.Random, text: str) -> str:
    for right, wrong in _CONTRACTIONS:
        text = text.replace(right, wrong)
    return text


def _teh(rng: random.Random, text: str) -> str:
    return re.sub(r"\bthe\b", "teh", text, count=1)


_EDITS: tuple[tuple[Callable[[random.Random, str], str], float], ...] = (
    (_swap, 3.0),
    (_drop, 2.5),
    (_double, 1.0),
    (_lowercase, 1.5),
    (_no_final_punctuation, 2.0),
    (_no_apostrophes, 1.5),
    (_teh, 0.5),
)


def shout(text: str) -> str:
    """Write `text` in capitals with extra exclamation marks, as angry customers do."""
    return text.rstrip(".!? ").upper() + "!!!"


def add_typos(rng: random.Random, text: str) -> str:
    """Return `text` with one to three seeded slips."""
    edits = [edit for edit, _ in _EDITS]
    weights = [weight for _, weight in _EDITS]
    for edit in rng.choices(edits, weights, k=rng.choice((1, 1, 1, 2, 2, 3))):
        text = edit(rng, text)
    return text
