"""Sentiment quality and ingest cost in one run: ours, the previous model and VADER. JSON out.

Run from the repository root (writes bench/results/sentiment.json):
    .venv/bin/python -m bench.sentiment --data-dir ../shared/data \
        [--reference-weights .cache/old_model] [--n 1000] [--repeats 3]

Sets (none of them trained or calibrated on by the shipped model):
- tweeteval_sentiment ``test`` (12,284 tweets, the SemEval-2017 test): macro-F1, macro-recall,
  accuracy and ECE (15 bins, max probability) of the whole-text argmax, and the item label
  as stored: after the clause rule and the kind rule (``nlp.clauses.for_kind``: a confident
  request is neutral; kinds from ``nlp.kinds`` on the same pass's embeddings; the label
  without the kind rule beside it); the same after EM re-estimation of the class priors on
  the whole set (``nlp.priors``, Saerens et al. 2002), with the estimated and the true label
  mix;
- tweeteval_sentiment ``val`` (2,000): the same figures;
- sst2 ``dev`` (872): positive vs negative accuracy (argmax over p_pos, p_neg);
- the demo sample (``voc.demo.generate_demo(seed=7)``, 1,250 planted items, gold negative /
  neutral / positive / mixed): macro-F1 over the four classes, an item predicted "mixed" when
  the clause rule flags it, else its label; also 3-class macro-F1 on the items whose gold is
  not mixed (``macro_f1_3class_unmixed``: a predicted "mixed" counts wrong;
  ``item_label_macro_f1_unmixed``: every item's 3-class label, a mixed one's the side it
  leans to, as ``voc analyze --output`` writes it), and the same after EM priors on the sample;
- banking77 ``train`` support queries with weak labels from their intent
  (``nlp.training.support_queries``: 27 problem intents negative, 37 how-to intents neutral;
  the fifth of the queries that training never sees, ``is_held_out``): each side's recall of
  the item label as stored, and their mean (``balanced_accuracy``). The labels come from the intent
  name, not the text, so the figure says how customers' support messages read, not a gold
  sentiment.
Reference points in the same run: VADER (compound >= 0.05 positive, <= -0.05 negative, else
neutral; mixed never) and the previous shipped weights (``--reference-weights``; not on
tweeteval test, which they were trained on).

Cost: ``JointEncoder.encode`` (embedding + sentiment, one shared pass) vs
``SentenceTransformerEmbedder.embed`` on the same texts (the first ``--n`` tweets of tweeteval
val), alternating in one process after a warm-up each; the median of ``--repeats`` runs;
ratio = joint / embedding-only texts per second (floor 0.5).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bench._common import DEFAULT_DATA_DIR, machine
from bench.eval_sentiment import sst2_dev, tweeteval_val
from nlp.clauses import split_clauses
from nlp.embedding import SentenceTransformerEmbedder
from nlp.joint import JointEncoder
from nlp.priors import estimate_priors
from nlp.sentiment_metrics import accuracy, expected_calibration_error, macro_f1, macro_recall
from nlp.sentiment_minilm import (
    BranchOutput,
    MiniLMSentimentScorer,
    to_results,
    with_priors,
)
from nlp.sentiment_types import SentimentResult

LABELS = ("negative", "neutral", "positive")
DEMO_LABELS = ("negative", "neutral", "positive", "mixed")
FLOORS = {
    "tweeteval_test.macro_f1": 0.68,
    "tweeteval_val.macro_f1": 0.67,
    "sst2_dev.accuracy_pos_vs_neg": 0.86,
    "demo.macro_f1": 0.85,
    "tweeteval_test.ece_15": 0.05,
    "throughput.ratio_joint_vs_embed": 0.5,
}


def tweeteval_test(data_dir: Path) -> tuple[list[str], list[int]]:
    """tweeteval_sentiment test texts and labels (0 neg, 1 neu, 2 pos)."""
    root = data_dir / "tweeteval_sentiment"
    texts = (root / "test_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(y) for y in (root / "test_labels.txt").read_text(encoding="utf-8").split()]
    return texts, labels


def demo_sample() -> tuple[list[str], list[str]]:
    """The demo sample's texts and planted gold sentiment (negative/neutral/positive/mixed)."""
    from voc.demo import generate_demo

    items = [i for i in generate_demo(seed=7) if i.text.strip()]
    return [i.text for i in items], [i.gold_sentiment for i in items]


def with_kinds(
    results: list[SentimentResult], kinds: Sequence[Any], texts: Sequence[str]
) -> list[SentimentResult]:
    """The labels as stored: the clause rule's, then the kind rule (``nlp.clauses.for_kind``).

    ``kinds``: ``nlp.kinds.classify_kinds`` of the same texts, on the same pass's embeddings.
    """
    from nlp.clauses import for_kind

    return [
        for_kind(r, k.kind, k.confidence, t) for r, k, t in zip(results, kinds, texts, strict=True)
    ]


def scored(
    scorer: MiniLMSentimentScorer, texts: Sequence[str]
) -> tuple[BranchOutput, list[Any], list[SentimentResult], list[SentimentResult]]:
    """One pass over ``texts``: raw outputs, kinds, labels of the clause rule, labels as stored."""
    from nlp.kinds import classify_kinds

    raw = scorer.raw(texts, embed=True)
    kinds = classify_kinds(texts, raw.embeddings)
    plain = to_results(raw)
    return raw, kinds, plain, with_kinds(plain, kinds, texts)


def _label_ids(results: Sequence[SentimentResult]) -> list[int]:
    return [LABELS.index(str(r.label)) for r in results]


def _figures(
    probs: np.ndarray,
    items: list[SentimentResult],
    gold: list[int],
    before_kinds: list[SentimentResult] | None = None,
) -> dict[str, Any]:
    y = np.array(gold, dtype=np.int64)
    whole = probs.argmax(axis=1).astype(np.int64)
    item = np.array(_label_ids(items), dtype=np.int64)
    extra = {}
    if before_kinds is not None:
        plain = np.array(_label_ids(before_kinds), dtype=np.int64)
        extra = {"item_label_macro_f1_without_kind_rule": round(macro_f1(y, plain, 3), 4)}
    return {
        "macro_f1": round(macro_f1(y, whole, 3), 4),
        "macro_recall": round(macro_recall(y, whole, 3), 4),
        "accuracy": round(accuracy(y, whole), 4),
        "ece_15": round(expected_calibration_error(probs, y), 4),
        "item_label_macro_f1": round(macro_f1(y, item, 3), 4),
        "item_label_macro_recall": round(macro_recall(y, item, 3), 4),
        "predicted_mix": [round(float(np.mean(item == c)), 3) for c in range(3)],
        **extra,
    }


def three_class_set(
    scorer: MiniLMSentimentScorer, texts: Sequence[str], gold: list[int]
) -> dict[str, Any]:
    """Figures as scored, and after EM priors re-estimated on the whole set.

    Item labels are those stored: the clause rule, then the kind rule on the kinds of the same
    texts (``item_label_macro_f1_without_kind_rule`` beside them).
    """
    output, kinds, results, labelled = scored(scorer, texts)  # the EM labels reuse the kinds
    train_priors = scorer.train_priors
    out = {"n": len(gold), **_figures(output.probabilities, labelled, gold, results)}
    estimate = estimate_priors(output.probabilities, train_priors)
    adjusted = with_priors(output, estimate.priors, train_priors)
    adjusted_results = to_results(adjusted)
    out["em_priors"] = {
        "estimated_mix": [round(p, 3) for p in estimate.priors],
        "true_mix": [round(float(np.mean(np.array(gold) == c)), 3) for c in range(3)],
        **_figures(
            adjusted.probabilities,
            with_kinds(adjusted_results, kinds, texts),
            gold,
            adjusted_results,
        ),
    }
    return out


def binary_set(output: BranchOutput, gold: list[int]) -> dict[str, Any]:
    """Positive-vs-negative accuracy (argmax over p_pos, p_neg)."""
    p = output.probabilities
    pred = np.where(p[:, 2] >= p[:, 0], 2, 0)
    return {"n": len(gold), "accuracy_pos_vs_neg": round(accuracy(np.array(gold), pred), 4)}


def demo_figures(
    predicted: Sequence[str], gold: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, Any]:
    """4-class macro-F1 (mixed a class), and 3-class macro-F1 on the items not gold-mixed.

    ``labels``: each item's 3-class label (a mixed item's too: the side it leans to, what the
    ``sentiment`` column of ``voc analyze --output`` carries); scored on the items not
    gold-mixed as ``item_label_macro_f1_unmixed``. Without it, ``predicted`` is used.
    """
    index = {name: i for i, name in enumerate(DEMO_LABELS)}
    y = np.array([index[g] for g in gold], dtype=np.int64)
    p = np.array([index[x] for x in predicted], dtype=np.int64)
    unmixed = y != index["mixed"]
    as_label = np.array([index[x] if x != "mixed" else -1 for x in predicted], dtype=np.int64)
    item = np.array([index[x] for x in (labels or predicted)], dtype=np.int64)
    per_class = {}
    for name, c in index.items():
        tp = float(np.sum((p == c) & (y == c)))
        per_class[name] = {
            "recall": round(tp / max(1.0, float(np.sum(y == c))), 3),
            "precision": round(tp / max(1.0, float(np.sum(p == c))), 3),
        }
    return {
        "n": len(gold),
        "macro_f1": round(macro_f1(y, p, 4), 4),
        "accuracy": round(accuracy(y, p), 4),
        "macro_f1_3class_unmixed": round(macro_f1(y[unmixed], as_label[unmixed], 3), 4),
        "item_label_macro_f1_unmixed": round(macro_f1(y[unmixed], item[unmixed], 3), 4),
        "per_class": per_class,
    }


def support_queries(data_dir: Path) -> tuple[list[str], list[int]]:
    """Banking77 train queries of the problem (negative) and how-to (neutral) intents.

    Only the fifth that an adaptation stage never trains on (``is_held_out``).
    """
    import random

    from nlp.training.support_queries import banking77_queries

    rows = banking77_queries(data_dir, 0, random.Random(0), split="held_out")
    return [t for t, _ in rows], [y for _, y in rows]


def support_figures(predicted: Sequence[int], gold: Sequence[int]) -> dict[str, Any]:
    """Recall of negative on problem queries, of neutral on how-to queries, and their mean."""
    y, p = np.array(gold), np.array(predicted)
    problem = float(np.mean(p[y == 0] == 0))
    how_to = float(np.mean(p[y == 1] == 1))
    return {
        "n": len(gold),
        "problem_read_negative": round(problem, 4),
        "how_to_read_neutral": round(how_to, 4),
        "balanced_accuracy": round((problem + how_to) / 2, 4),
    }


def _demo_labels(results: list[SentimentResult]) -> list[str]:
    return ["mixed" if r.is_mixed else str(r.label) for r in results]


def model_figures(
    weights: Path | None, sets: dict[str, Any], skip: Sequence[str] = ()
) -> dict[str, Any]:
    """Score every set (but those in ``skip``) with one MiniLM sentiment model."""
    scorer = MiniLMSentimentScorer(weights)
    started = time.perf_counter()
    out: dict[str, Any] = {"model_id": scorer.model_id, "train_priors": scorer.train_priors}
    for name in ("tweeteval_test", "tweeteval_val"):
        if name in skip:
            continue
        texts, gold = sets[name]
        out[name] = three_class_set(scorer, texts, gold)
    texts, gold = sets["sst2_dev"]
    out["sst2_dev"] = binary_set(scorer.raw(texts), gold)
    texts, gold = sets["demo"]
    raw, kinds, plain, results = scored(scorer, texts)
    out["demo"] = demo_figures(_demo_labels(results), gold, [str(r.label) for r in results])
    without = demo_figures(_demo_labels(plain), gold, [str(r.label) for r in plain])
    out["demo"]["without_kind_rule"] = {
        k: without[k] for k in ("macro_f1", "item_label_macro_f1_unmixed")
    }
    estimate = estimate_priors(raw.probabilities, scorer.train_priors)
    adjusted = with_priors(raw, estimate.priors, scorer.train_priors)
    adjusted_results = with_kinds(to_results(adjusted), kinds, texts)
    out["demo"]["em_priors"] = {
        "estimated_mix": [round(p, 3) for p in estimate.priors],
        **demo_figures(
            _demo_labels(adjusted_results), gold, [str(r.label) for r in adjusted_results]
        ),
    }
    texts, gold = sets["support_queries"]
    _, _, plain, results = scored(scorer, texts)
    out["support_queries"] = {
        **support_figures(_label_ids(results), gold),
        "without_kind_rule": support_figures(_label_ids(plain), gold),
    }
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def vader_figures(sets: dict[str, Any]) -> dict[str, Any]:
    """VADER on the same sets (no probabilities: no ECE, no priors)."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:
        raise SystemExit("vaderSentiment is missing: run make setup") from exc
    analyzer = SentimentIntensityAnalyzer()

    def label(text: str) -> int:
        compound = analyzer.polarity_scores(text)["compound"]
        return 2 if compound >= 0.05 else 0 if compound <= -0.05 else 1

    out: dict[str, Any] = {}
    for name in ("tweeteval_test", "tweeteval_val"):
        texts, gold = sets[name]
        y, pred = np.array(gold), np.array([label(t) for t in texts])
        out[name] = {
            "macro_f1": round(macro_f1(y, pred, 3), 4),
            "macro_recall": round(macro_recall(y, pred, 3), 4),
            "accuracy": round(accuracy(y, pred), 4),
        }
    texts, gold = sets["sst2_dev"]
    pred = np.array([2 if analyzer.polarity_scores(t)["compound"] >= 0 else 0 for t in texts])
    out["sst2_dev"] = {"accuracy_pos_vs_neg": round(accuracy(np.array(gold), pred), 4)}
    texts, gold = sets["demo"]
    out["demo"] = demo_figures([LABELS[label(t)] for t in texts], gold)
    texts, gold = sets["support_queries"]
    out["support_queries"] = support_figures([label(t) for t in texts], gold)
    return out


def timed(run: Callable[[], object]) -> float:
    """Seconds of one call."""
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def throughput(
    texts: list[str], repeats: int, batch_size: int, weights: Path | None = None
) -> dict[str, Any]:
    """Median texts/s of embedding alone and of the joint pass, alternating."""
    embedder, joint = SentenceTransformerEmbedder(), JointEncoder(weights)
    embedder.embed(texts[:batch_size], batch_size=batch_size)  # warm-up: load, first kernels
    joint.encode(texts[:batch_size], batch_size=batch_size)
    embed_s, joint_s = [], []
    for _ in range(repeats):
        embed_s.append(timed(lambda: embedder.embed(texts, batch_size=batch_size)))
        joint_s.append(timed(lambda: joint.encode(texts, batch_size=batch_size)))
    embed_tps = len(texts) / statistics.median(embed_s)
    joint_tps = len(texts) / statistics.median(joint_s)
    return {
        "texts": len(texts),
        "multi_clause_share": round(sum(len(split_clauses(t)) >= 2 for t in texts) / len(texts), 3),
        "batch_size": batch_size,
        "repeats": repeats,
        "embed_only_texts_per_s": round(embed_tps, 1),
        "joint_texts_per_s": round(joint_tps, 1),
        "ratio_joint_vs_embed": round(joint_tps / embed_tps, 3),
        "embed_seconds": [round(s, 2) for s in embed_s],
        "joint_seconds": [round(s, 2) for s in joint_s],
        "sentiment_model_id": joint.sentiment_model_id,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure quality (ours, previous, VADER) and cost; print and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--n", type=int, default=1000, help="texts for the throughput runs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--weights", type=Path, default=None, help="sentiment weights dir")
    parser.add_argument(
        "--reference-weights",
        type=Path,
        default=Path(".cache/old_model"),
        help="the previous shipped weights, for the reference row (skipped when absent)",
    )
    parser.add_argument("--output", type=Path, default=Path("bench/results/sentiment.json"))
    parser.add_argument(
        "--parts",
        default="throughput,ours,previous,vader",
        help="comma-separated parts to measure in this run",
    )
    parser.add_argument(
        "--merge",
        type=Path,
        default=None,
        help="an earlier JSON of this script: its parts not measured now are copied in, marked",
    )
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"throughput", "ours", "previous", "vader"}
    if unknown:
        raise SystemExit(f"--parts: unknown part(s) {sorted(unknown)}")
    out: dict[str, Any] = {
        "machine": machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "floors": FLOORS,
    }
    if "throughput" in parts:
        out["throughput"] = throughput(
            tweeteval_val(args.data_dir)[0][: args.n], args.repeats, args.batch_size, args.weights
        )
    sets = {
        "tweeteval_test": tweeteval_test(args.data_dir),
        "tweeteval_val": tweeteval_val(args.data_dir),
        "sst2_dev": sst2_dev(args.data_dir),
        "demo": demo_sample(),
        "support_queries": support_queries(args.data_dir),
    }
    if "ours" in parts:
        out["ours"] = model_figures(args.weights, sets)
    if "previous" in parts and (args.reference_weights / "config.json").is_file():
        # the previous weights were trained on tweeteval test: not measured there
        out["previous"] = model_figures(args.reference_weights, sets, ("tweeteval_test",))
        out["previous"]["tweeteval_test"] = "not measured: the previous model trained on it"
    if "vader" in parts:
        out["vader"] = vader_figures(sets)
    if args.merge is not None:
        earlier = json.loads(args.merge.read_text(encoding="utf-8"))
        for key in ("throughput", "ours", "previous", "vader"):
            if key not in out and key in earlier:
                out[key] = {**earlier[key], "measured_in": f"{args.merge} ({earlier['started']})"}
    text = json.dumps(out, indent=2)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return out


if __name__ == "__main__":
    main()
