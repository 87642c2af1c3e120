"""Cost of sentiment at ingest: JointEncoder.encode vs SentenceTransformerEmbedder.embed. JSON.

Run from the repository root:
    .venv/bin/python -m bench.sentiment [--data-dir ../shared/data] [--n 1000] [--repeats 3]

Both run on the same texts (the first ``--n`` tweets of tweeteval val, real multi-clause text
included) in the same process, alternating, after one warm-up each; throughput is texts/s and
the ratio is joint / embedding-only (floor 0.75). In the same run, VADER (compound >= 0.05
positive, <= -0.05 negative, else neutral) and our model are scored on tweeteval val (macro-F1)
and sst2 dev (positive vs negative accuracy) as the reference point.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import DEFAULT_DATA_DIR, machine
from bench.eval_sentiment import binary, sst2_dev, three_class, tweeteval_val
from nlp.clauses import split_clauses
from nlp.embedding import SentenceTransformerEmbedder
from nlp.joint import JointEncoder
from nlp.sentiment_metrics import accuracy, macro_f1


def vader_figures(
    tweets: list[str], tweet_gold: list[int], sst: list[str], sst_gold: list[int]
) -> dict[str, Any]:
    """VADER's macro-F1 on tweeteval val and pos/neg accuracy on sst2 dev."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:
        raise SystemExit("install the dev dependency: pip install vaderSentiment") from exc
    analyzer = SentimentIntensityAnalyzer()

    def label(text: str) -> int:
        compound = analyzer.polarity_scores(text)["compound"]
        return 2 if compound >= 0.05 else 0 if compound <= -0.05 else 1

    tweet_pred = np.array([label(t) for t in tweets])
    sst_pred = np.array([2 if analyzer.polarity_scores(t)["compound"] >= 0 else 0 for t in sst])
    return {
        "tweeteval_val": {
            "macro_f1": round(macro_f1(np.array(tweet_gold), tweet_pred, 3), 4),
            "accuracy": round(accuracy(np.array(tweet_gold), tweet_pred), 4),
        },
        "sst2_dev": {"accuracy_pos_vs_neg": round(accuracy(np.array(sst_gold), sst_pred), 4)},
    }


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
        "floor_ratio": 0.75,
        "embed_seconds": [round(s, 2) for s in embed_s],
        "joint_seconds": [round(s, 2) for s in joint_s],
        "sentiment_model_id": joint.sentiment_model_id,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure cost and the VADER reference; print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--weights", type=Path, default=None, help="sentiment weights dir")
    parser.add_argument("--throughput-only", action="store_true")
    args = parser.parse_args(argv)
    tweets, tweet_gold = tweeteval_val(args.data_dir)
    sst, sst_gold = sst2_dev(args.data_dir)
    out: dict[str, Any] = {"machine": machine()}
    out["throughput"] = throughput(tweets[: args.n], args.repeats, args.batch_size, args.weights)
    if not args.throughput_only:
        joint = JointEncoder(args.weights)
        out["ours"] = {
            "tweeteval_val": three_class(joint.encode(tweets).sentiments, tweet_gold),
            "sst2_dev": binary(joint.encode(sst).sentiments, sst_gold),
        }
        out["vader"] = vader_figures(tweets, tweet_gold, sst, sst_gold)
    text = json.dumps(out, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return out


if __name__ == "__main__":
    main()
