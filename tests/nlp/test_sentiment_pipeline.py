"""The pluggable pipeline path, with a tiny BERT classifier the test builds and saves itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.sentiment import (
    LabelMappingError,
    PipelineSentimentScorer,
    SentimentLabel,
    default_label_map,
    load_sentiment_scorer,
)

WORDS = ["i", "love", "the", "app", "but", "billing", "page", "is", "a", "disaster", "great"]


def build_tiny_model(root: Path, labels: list[str]) -> Path:
    """A 2-layer, 32-wide random BERT (seed 0) with a tiny word-level vocabulary."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    root.mkdir(parents=True, exist_ok=True)
    vocab = root / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab))
    config = BertConfig(
        vocab_size=len(WORDS) + 5,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={n: i for i, n in enumerate(labels)},
    )
    torch.manual_seed(0)
    BertForSequenceClassification(config).eval().save_pretrained(root)
    tokenizer.save_pretrained(root)
    return root


@pytest.fixture(scope="module")
def three_class_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny3"), ["Negative", "Neutral", "Positive"])


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["NEG", "NEU", "POS"], ["negative", "neutral", "positive"]),
        (["positive", "negative"], ["positive", "negative"]),
        (["LABEL_0", "LABEL_1", "LABEL_2"], ["negative", "neutral", "positive"]),
        (["LABEL_0", "LABEL_1"], ["negative", "positive"]),
    ],
)
def test_default_label_map(labels: list[str], expected: list[str]) -> None:
    assert [default_label_map(labels)[n] for n in labels] == expected


def test_unmappable_labels_are_refused() -> None:
    with pytest.raises(LabelMappingError, match="label_map"):
        default_label_map(["joy", "anger"])


def test_pipeline_scores_have_the_contract_shape(three_class_dir: Path) -> None:
    scorer = PipelineSentimentScorer(three_class_dir)

    results = scorer.score(["i love the app", "a disaster", "great"], batch_size=2)

    assert len(results) == 3
    for result in results:
        assert sum(result.probabilities) == pytest.approx(1.0, abs=1e-5)
        assert result.score == pytest.approx(result.probabilities[2] - result.probabilities[0])
        assert result.label in set(SentimentLabel)
    assert scorer.model_id == f"hf-pipeline:{three_class_dir.name}"


def test_pipeline_batch_matches_single(three_class_dir: Path) -> None:
    scorer = PipelineSentimentScorer(three_class_dir)
    texts = ["i love the app", "the billing page is a disaster", "great"]

    batched = scorer.score(texts, batch_size=3)
    single = [scorer.score([t])[0] for t in texts]

    for a, b in zip(batched, single, strict=True):
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-5)


def test_two_class_model_never_predicts_neutral(tmp_path: Path) -> None:
    model_dir = build_tiny_model(tmp_path / "tiny2", ["LABEL_0", "LABEL_1"])

    results = PipelineSentimentScorer(model_dir).score(["i love the app", "a disaster"])

    assert all(r.probabilities[1] == 0.0 for r in results)
    assert all(r.label is not SentimentLabel.NEUTRAL for r in results)


def test_custom_label_map_is_applied(tmp_path: Path) -> None:
    model_dir = build_tiny_model(tmp_path / "joy", ["anger", "calm", "joy"])
    label_map = {
        "anger": SentimentLabel.NEGATIVE,
        "calm": SentimentLabel.NEUTRAL,
        "joy": SentimentLabel.POSITIVE,
    }

    [result] = PipelineSentimentScorer(model_dir, label_map=label_map).score(["great"])

    assert sum(result.probabilities) == pytest.approx(1.0, abs=1e-5)


def test_multi_clause_text_gets_clause_scores(three_class_dir: Path) -> None:
    [result] = PipelineSentimentScorer(three_class_dir).score(
        ["i love the app but the billing page is a disaster"]
    )

    assert result.strongest_clause in {"i love the app", "the billing page is a disaster"}


def test_loader_picks_the_pipeline_for_a_directory(three_class_dir: Path) -> None:
    assert isinstance(load_sentiment_scorer(str(three_class_dir)), PipelineSentimentScorer)


def test_loader_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="neither"):
        load_sentiment_scorer(str(tmp_path / "nope"))
