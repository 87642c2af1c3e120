"""Shared fixtures of the nlp tests: the real packaged MiniLM model and a small theme corpus."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest

from nlp.embedding import SentenceTransformerEmbedder

# Eight customer-feedback themes, each written as subject phrasings x situations, so every
# theme has many distinct but clearly related sentences (no randomness).
_THEMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "card": (
        (
            "My new card has not arrived",
            "The card you sent never arrived",
            "Still waiting for my card to arrive",
            "My replacement card did not arrive",
        ),
        (
            "after two weeks",
            "and I need it for travel",
            "yet",
            "even though you said it shipped",
            "where is it",
            "please check the delivery",
            "since last month",
            "what should I do",
            "can you track it",
            "is it lost in the post",
        ),
    ),
    "refund": (
        (
            "I have not received my refund",
            "The refund for my return is still missing",
            "My refund never came through",
            "Where is the refund you promised",
        ),
        (
            "after two weeks",
            "for the order I returned",
            "yet",
            "it has been ages",
            "the shop says it was sent",
            "please check",
            "since last month",
            "what is taking so long",
            "for the cancelled booking",
            "and I need the money",
        ),
    ),
    "pin": (
        (
            "How do I change my PIN",
            "I want to change the PIN of my card",
            "Can I set a new PIN code",
            "I need to update my PIN number",
        ),
        (
            "in the app",
            "at an ATM",
            "please",
            "because I forgot it",
            "online",
            "for security reasons",
            "today",
            "without calling you",
            "on my phone",
            "quickly",
        ),
    ),
    "crash": (
        (
            "The app crashes",
            "Your app keeps crashing",
            "The mobile app freezes and closes",
            "The application crashes on startup",
        ),
        (
            "every time I open it",
            "after the last update",
            "on my iPhone",
            "on Android",
            "when I log in",
            "when I open settings",
            "all the time",
            "since yesterday",
            "when I upload a photo",
            "whenever I scroll",
        ),
    ),
    "export": (
        (
            "Exporting to CSV is broken",
            "The CSV export drops accents",
            "I cannot export my report to Excel",
            "The export to spreadsheet fails",
        ),
        (
            "every time",
            "for large reports",
            "since the update",
            "with special characters",
            "on the dashboard",
            "for last month",
            "with an error",
            "for my team",
            "when I pick a date range",
            "and I need it for accounting",
        ),
    ),
    "dark": (
        (
            "Please add a dark mode",
            "I would love a dark theme",
            "Can you add a night mode to the app",
            "A dark mode option would be great",
        ),
        (
            "for the evenings",
            "because the screen is too bright",
            "on mobile",
            "for the website",
            "like other apps have",
            "to save battery",
            "for my eyes",
            "please",
            "in the next release",
            "soon",
        ),
    ),
    "password": (
        (
            "I cannot reset my password",
            "The password reset email never comes",
            "Resetting my password does not work",
            "I forgot my password and the reset link fails",
        ),
        (
            "after two tries",
            "on the website",
            "in the app",
            "since yesterday",
            "at all",
            "and I am locked out",
            "with my work email",
            "again",
            "the link expired",
            "please help",
        ),
    ),
    "slow": (
        (
            "The website is very slow",
            "Pages take forever to load",
            "Loading the dashboard is painfully slow",
            "Everything is slow to load",
        ),
        (
            "in the morning",
            "since the update",
            "on my laptop",
            "on mobile data",
            "for big projects",
            "today",
            "all week",
            "even on fast wifi",
            "when searching",
            "when I open reports",
        ),
    ),
}


def theme_corpus() -> tuple[list[str], list[str]]:
    """Return texts and their theme names: 8 themes x 40 sentences, interleaved."""
    per_theme = {
        name: [f"{a} {b}" for a, b in itertools.product(subjects, situations)]
        for name, (subjects, situations) in _THEMES.items()
    }
    texts, gold = [], []
    for row in zip(*per_theme.values(), strict=True):
        for name, text in zip(per_theme, row, strict=True):
            texts.append(text)
            gold.append(name)
    return texts, gold


@pytest.fixture(scope="session")
def minilm_embedder() -> SentenceTransformerEmbedder:
    """The real packaged all-MiniLM-L6-v2 model, loaded once per test session."""
    return SentenceTransformerEmbedder(device="cpu")


@pytest.fixture(scope="session")
def corpus() -> tuple[list[str], list[str]]:
    """The eight-theme feedback corpus (texts, gold theme names)."""
    return theme_corpus()


@pytest.fixture(scope="session")
def corpus_embeddings(
    minilm_embedder: SentenceTransformerEmbedder, corpus: tuple[list[str], list[str]]
) -> npt.NDArray[np.float32]:
    """MiniLM embeddings of the corpus texts."""
    return minilm_embedder.embed(corpus[0])
