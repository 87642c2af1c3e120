"""Feedback kinds on customer-style sentences written for these tests (tests/nlp/kinds_sanity.py).

The real packaged MiniLM embeds them; the shipped prototype vectors must be that model's.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.metrics import f1_score, recall_score

from nlp.embedding import SentenceTransformerEmbedder
from nlp.kinds import (
    KINDS,
    KindClassifier,
    KindPrediction,
    classify_kinds,
    cue_features,
    cue_scores,
    load_kind_classifier,
    load_prototype_vectors,
    prototype_sentences,
)
from tests.nlp.kinds_sanity import SANITY

TEXTS = [text for text, _ in SANITY]
GOLD = [kind for _, kind in SANITY]


@pytest.fixture(scope="module")
def sanity_embeddings(minilm_embedder: SentenceTransformerEmbedder) -> npt.NDArray[np.float32]:
    return minilm_embedder.embed(TEXTS)


def test_the_sanity_set_covers_every_kind_evenly() -> None:
    assert {kind: GOLD.count(kind) for kind in KINDS} == dict.fromkeys(KINDS, 20)


def test_customer_sentences_get_their_kind(sanity_embeddings: npt.NDArray[np.float32]) -> None:
    predicted = [p.kind for p in classify_kinds(TEXTS, sanity_embeddings)]
    assert f1_score(GOLD, predicted, average="macro") >= 0.9
    recalls = recall_score(GOLD, predicted, labels=list(KINDS), average=None)
    assert min(recalls) >= 0.8, dict(zip(KINDS, recalls, strict=True))


def test_cues_alone_still_tell_the_kinds_apart() -> None:
    predicted = [p.kind for p in classify_kinds(TEXTS)]
    assert f1_score(GOLD, predicted, average="macro") >= 0.85


def test_prototypes_add_to_the_cues(sanity_embeddings: npt.NDArray[np.float32]) -> None:
    with_vectors = [p.kind for p in classify_kinds(TEXTS, sanity_embeddings)]
    cues_only = [p.kind for p in classify_kinds(TEXTS)]
    hits = sum(p == g for p, g in zip(with_vectors, GOLD, strict=True))
    assert hits >= sum(p == g for p, g in zip(cues_only, GOLD, strict=True))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Love it, but please add a dark mode.", "request"),
        ("Great app, though since the update it keeps crashing.", "bug"),
        ("Why does it keep logging me out?", "bug"),
        ("Can you add a PDF export?", "request"),
        ("How do I export to PDF?", "question"),
        ("Would not recommend.", "other"),
        ("Used to love this app.", "other"),
    ],
)
def test_what_an_item_asks_for_wins_over_its_tone(
    text: str, kind: str, minilm_embedder: SentenceTransformerEmbedder
) -> None:
    [prediction] = classify_kinds([text], minilm_embedder.embed([text]))
    assert prediction.kind == kind


def test_confidence_is_a_probability(sanity_embeddings: npt.NDArray[np.float32]) -> None:
    classifier = load_kind_classifier()
    probs = classifier.probabilities(TEXTS, sanity_embeddings)
    assert probs.shape == (len(TEXTS), len(KINDS))
    assert np.allclose(probs.sum(axis=1), 1.0)
    predictions = classifier.predict(TEXTS, sanity_embeddings)
    assert all(isinstance(p, KindPrediction) and 0.0 < p.confidence <= 1.0 for p in predictions)
    assert all(p.confidence >= 1 / len(KINDS) for p in predictions)
    # confident predictions are right more often than unsure ones
    right = np.array([p.kind == g for p, g in zip(predictions, GOLD, strict=True)])
    confidence = np.array([p.confidence for p in predictions])
    assert right[confidence >= np.median(confidence)].mean() >= right.mean()


def test_empty_text_is_other_and_empty_input_is_empty() -> None:
    assert classify_kinds(["", "   "]) == [KindPrediction("other", 1.0)] * 2
    assert classify_kinds([]) == []
    assert cue_scores([]).shape == (0, len(KINDS))
    assert cue_features(["please add it"]).sum() >= 1


def test_misaligned_embeddings_are_refused_naming_the_argument() -> None:
    with pytest.raises(ValueError, match="embeddings: 1 rows for 2 texts"):
        classify_kinds(["a", "b"], np.zeros((1, 384), dtype=np.float32))


def test_a_classifier_without_prototypes_uses_cues() -> None:
    classifier = KindClassifier(None)
    assert not classifier.has_prototypes
    vectors = np.ones((1, 384), dtype=np.float32)
    [prediction] = classifier.predict(["It would be great if it had tabs"], vectors)
    assert prediction.kind == "request"


def test_shipped_vectors_are_the_packaged_model_on_the_shipped_sentences(
    minilm_embedder: SentenceTransformerEmbedder,
) -> None:
    vectors = load_prototype_vectors()
    assert vectors is not None, "rebuild: python -m nlp.training.build_kind_prototypes"
    assert load_kind_classifier().has_prototypes
    assert load_kind_classifier().model_id == minilm_embedder.model_id
    sentences = prototype_sentences()
    for kind in KINDS:
        fresh = minilm_embedder.embed(sentences[kind])
        assert vectors[kind].shape == fresh.shape
        assert np.allclose(vectors[kind], fresh, atol=1e-4)
