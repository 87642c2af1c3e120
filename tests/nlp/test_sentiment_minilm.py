"""The shipped MiniLM sentiment branch and the joint encoder (real packaged models, offline)."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.embedding import SentenceTransformerEmbedder
from nlp.joint import JointEncoder
from nlp.sentiment import (
    MiniLMSentimentScorer,
    SentimentLabel,
    SentimentScorer,
    load_sentiment_scorer,
)

TEXTS = [
    "I love the app but the new billing page is a disaster",
    "The export keeps crashing and support never answers. Terrible.",
    "Absolutely love the new dashboard, great work!",
    "I changed my password yesterday.",
    "Hi team,\nthe CSV export drops accents.\nThanks,\nAnna",
]


@pytest.fixture(scope="module")
def joint() -> JointEncoder:
    return JointEncoder()


@pytest.fixture(scope="module")
def scorer() -> MiniLMSentimentScorer:
    return MiniLMSentimentScorer()


def test_default_scorer_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")

    scorer = load_sentiment_scorer(None)

    assert isinstance(scorer, MiniLMSentimentScorer)
    assert isinstance(scorer, SentimentScorer)
    assert load_sentiment_scorer("default").model_id == scorer.model_id
    [result] = scorer.score(["The app is great"])
    assert result.label is SentimentLabel.POSITIVE


def test_clear_examples(scorer: MiniLMSentimentScorer) -> None:
    negative, positive = scorer.score([TEXTS[1], TEXTS[2]])

    assert negative.label is SentimentLabel.NEGATIVE
    assert negative.score < -0.5
    assert positive.label is SentimentLabel.POSITIVE
    assert positive.score > 0.5


def test_mixed_feedback_is_not_averaged_into_neutral(scorer: MiniLMSentimentScorer) -> None:
    [result] = scorer.score([TEXTS[0]])

    assert result.is_mixed is True
    assert result.label is not SentimentLabel.NEUTRAL
    assert result.strongest_clause in {"I love the app", "the new billing page is a disaster"}


def test_single_clause_text_is_not_split(scorer: MiniLMSentimentScorer) -> None:
    [result] = scorer.score(["Absolutely love the new dashboard"])

    assert result.strongest_clause is None
    assert result.is_mixed is False


def test_probabilities_are_a_distribution(scorer: MiniLMSentimentScorer) -> None:
    for result in scorer.score(TEXTS):
        assert sum(result.probabilities) == pytest.approx(1.0, abs=1e-6)
        assert -1.0 <= result.score <= 1.0


def test_label_and_score_agree(scorer: MiniLMSentimentScorer) -> None:
    for result in scorer.score([*TEXTS, *ISSUE_CASES]):
        if result.label is SentimentLabel.POSITIVE:
            assert result.score > 0, result
        if result.label is SentimentLabel.NEGATIVE:
            assert result.score < 0, result
        p = result.probabilities
        if not result.is_mixed and result.strongest_clause is None:
            assert result.score == pytest.approx(p[2] - p[0])


ISSUE_CASES = {
    "Hello Quillo support, Guests see too much!": SentimentLabel.NEGATIVE,
    "The bug took 5 days to fix, but Yasmin kept me updated the whole time. "
    "That alone is worth the subscription": SentimentLabel.POSITIVE,
    "Thanks, but the export still fails": SentimentLabel.NEGATIVE,
}


@pytest.mark.parametrize(("text", "label"), list(ISSUE_CASES.items()))
def test_polite_and_mixed_feedback_from_the_issue(
    scorer: MiniLMSentimentScorer, text: str, label: SentimentLabel
) -> None:
    [result] = scorer.score([text])

    assert result.label is label


def test_praise_turned_to_a_flat_complaint_is_mixed_and_a_context_clause_is_not_praise(
    scorer: MiniLMSentimentScorer,
) -> None:
    turned, attached = scorer.score(
        [
            "Love the app, but report filters reset every time you open the page.",
            # the model reads "Quick one" as sure praise (p_pos 1.0): no opinion word, no praise
            "Quick one. The mobile app freezes, then crashes, then loses what I typed.",
        ]
    )

    assert turned.is_mixed is True
    assert attached.is_mixed is False
    assert attached.label is SentimentLabel.NEGATIVE


def test_batch_matches_single(scorer: MiniLMSentimentScorer) -> None:
    batched = scorer.score(TEXTS, batch_size=2)
    single = [scorer.score([t])[0] for t in TEXTS]

    for a, b in zip(batched, single, strict=True):
        assert a.label is b.label
        assert a.is_mixed is b.is_mixed
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-4)


def test_joint_embeddings_equal_sentence_transformer(joint: JointEncoder) -> None:
    expected = SentenceTransformerEmbedder().embed(TEXTS)

    result = joint.encode(TEXTS, batch_size=2)

    assert result.embeddings.dtype == np.float32
    assert result.embeddings.shape == (len(TEXTS), joint.dim)
    np.testing.assert_allclose(result.embeddings, expected, atol=1e-4)
    np.testing.assert_allclose(joint.embed(TEXTS), expected, atol=1e-4)
    assert joint.model_id == SentenceTransformerEmbedder().model_id


def test_joint_sentiment_equals_the_scorer(
    joint: JointEncoder, scorer: MiniLMSentimentScorer
) -> None:
    joint_results = joint.encode(TEXTS).sentiments
    alone = scorer.score(TEXTS)

    assert joint.sentiment_model_id == scorer.model_id
    for a, b in zip(joint_results, alone, strict=True):
        assert a.label is b.label
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-5)


def test_empty_input(joint: JointEncoder, scorer: MiniLMSentimentScorer) -> None:
    assert scorer.score([]) == []
    assert joint.encode([]).embeddings.shape == (0, joint.dim)
