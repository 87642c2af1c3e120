"""normalize_for_model strips what carries no theme signal and never empties a text."""

from __future__ import annotations

import pytest

from nlp.normalize import normalize_for_model


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hi team,\nThe export is broken.\n\nThanks,\nJohn", "The export is broken."),
        ("I love it!\nSent from my iPhone", "I love it!"),
        (
            "Hello, app crashes &amp; freezes <br/> see https://x.com/a?b=1",
            "app crashes & freezes see",
        ),
        ("@acme your app sucks, mail me at a.b@c.com", "your app sucks, mail me at"),
        ("The card is fine. Best regards, Anna Smith", "The card is fine."),
        ("Search is slow\n\nBest regards\nAnna", "Search is slow"),
        ("  too   many\tspaces  ", "too many spaces"),
    ],
)
def test_noise_around_the_message_is_removed(raw: str, expected: str) -> None:
    assert normalize_for_model(raw) == expected


@pytest.mark.parametrize("raw", ["Sent from my iPhone", "Best regards", "Hey!", "https://x.io"])
def test_a_text_that_is_only_noise_falls_back_to_the_original(raw: str) -> None:
    assert normalize_for_model(raw) == raw.strip()


def test_thanks_inside_a_sentence_is_kept() -> None:
    assert normalize_for_model("Thanks, the fix works great") == "Thanks, the fix works great"
