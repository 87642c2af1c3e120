"""Sentiment quality on data never trained on: tweeteval_sentiment val, sst2 dev. JSON out.

Run from the repository root:
    .venv/bin/python -m bench.eval_sentiment [--data-dir ../shared/data] [--model default|DIR]

Figures: macro-F1 and accuracy of the whole-text argmax (the calibrated model) and of the
item label after the clause rule (``nlp.clauses``), ECE (15 bins, max probability) on
tweeteval val, and sst2 dev accuracy on positive vs negative (argmax over p_pos, p_neg).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bench._common import DEFAULT_DATA_DIR, machine
from nlp.sentiment import SentimentResult, load_sentiment_scorer
from nlp.sentiment_metrics import accuracy, expected_calibration_error, macro_f1

LABELS = ("negative", "neutral", "positive")


def tweeteval_val(data_dir: Path) -> tuple[list[str], list[int]]:
    """tweeteval_sentiment val texts and labels (0 neg, 1 neu, 2 pos)."""
    root = data_dir / "tweeteval_sentiment"
    if not (root / "val_text.txt").exists():
        raise SystemExit(f"tweeteval_sentiment not found under {data_dir}: pass --data-dir")
    texts = (root / "val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(y) for y in (root / "val_labels.txt").read_text(encoding="utf-8").split()]
    return texts, labels


def sst2_dev(data_dir: Path) -> tuple[list[str], list[int]]:
    """sst2 dev texts and labels mapped to 0 negative / 2 positive."""
    path = data_dir / "sst2" / "dev.tsv"
    if not path.exists():
        raise SystemExit(f"sst2 not found under {data_dir}: pass --data-dir")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["text"] for r in rows], [2 if r["label"].strip() == "1" else 0 for r in rows]


def three_class(results: list[SentimentResult], gold: list[int]) -> dict[str, Any]:
    """Whole-text and item-label figures plus ECE for a 3-class set."""
    probs = np.array([r.probabilities for r in results], dtype=np.float64)
    y = np.array(gold, dtype=np.int64)
    whole = probs.argmax(axis=1).astype(np.int64)
    item = np.array([LABELS.index(str(r.label)) for r in results], dtype=np.int64)
    return {
        "n": len(gold),
        "macro_f1": round(macro_f1(y, whole, 3), 4),
        "accuracy": round(accuracy(y, whole), 4),
        "ece_15": round(expected_calibration_error(probs, y), 4),
        "item_label_macro_f1": round(macro_f1(y, item, 3), 4),
        "item_label_accuracy": round(accuracy(y, item), 4),
        "mixed_share": round(float(np.mean([r.is_mixed for r in results])), 4),
    }


def binary(results: list[SentimentResult], gold: list[int]) -> dict[str, Any]:
    """Positive-vs-negative accuracy (argmax over p_pos, p_neg) for a binary set."""
    pred = np.array([2 if r.probabilities[2] >= r.probabilities[0] else 0 for r in results])
    return {"n": len(gold), "accuracy_pos_vs_neg": round(accuracy(np.array(gold), pred), 4)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Score both sets and return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--model", default="default", help="'default' or a local HF model dir")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    tweets, tweet_gold = tweeteval_val(args.data_dir)
    sst, sst_gold = sst2_dev(args.data_dir)
    scorer = load_sentiment_scorer(args.model)
    started = time.perf_counter()
    out = {
        "model_id": scorer.model_id,
        "tweeteval_val": three_class(scorer.score(tweets), tweet_gold),
        "sst2_dev": binary(scorer.score(sst), sst_gold),
        "floors": {
            "tweeteval_val.macro_f1": 0.65,
            "sst2_dev.accuracy_pos_vs_neg": 0.88,
            "tweeteval_val.ece_15": 0.05,
        },
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine(),
    }
    text = json.dumps(out, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return out


if __name__ == "__main__":
    main()
