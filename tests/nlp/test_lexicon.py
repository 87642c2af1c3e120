"""The opinion-word checks of the item rules, on VADER's lexicon (no model)."""

from __future__ import annotations

import pytest

from nlp.lexicon import has_positive_word, has_problem_word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Love the app", True),
        ("Product is good", True),
        ("Really happy with Quillo overall", True),
        ("Not impressed", False),  # a negation right before cancels the word
        ("never easy to set up", False),
        ("Loom video", False),
        ("That alone is worth the subscription", True),  # rated mildly positive: it counts
        ("We are evaluating alternatives", False),
        ("I manage Quillo for our marketing department", False),
        ("", False),
    ],
)
def test_has_positive_word(text: str, expected: bool) -> None:
    assert has_positive_word(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How does the timesheet approval work?", False),
        ("Where can I find the archive option?", False),
        ("Why can\u2019t I log in?", True),  # a curly apostrophe is still a negation
        ("The app logged me out and I cannot get back in", True),
        ("Where did the export go? Disappointing", True),
        ("Is this a bug or a terrible design?", True),
    ],
)
def test_has_problem_word(text: str, expected: bool) -> None:
    assert has_problem_word(text) is expected
