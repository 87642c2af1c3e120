"""Quality figures for 3-class sentiment: macro-F1, macro-recall, accuracy, calibration error."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt


def macro_f1(gold: npt.NDArray[np.int64], pred: npt.NDArray[np.int64], n_classes: int) -> float:
    """Return the unweighted mean of per-class F1 over classes present in gold or pred."""
    scores = []
    for c in range(n_classes):
        tp = float(np.sum((pred == c) & (gold == c)))
        fp = float(np.sum((pred == c) & (gold != c)))
        fn = float(np.sum((pred != c) & (gold == c)))
        if tp + fp + fn == 0:
            continue
        scores.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else 0.0


def macro_recall(gold: npt.NDArray[np.int64], pred: npt.NDArray[np.int64], n_classes: int) -> float:
    """Return the unweighted mean of per-class recall over classes present in gold."""
    scores = [float(np.mean(pred[gold == c] == c)) for c in range(n_classes) if np.any(gold == c)]
    return float(np.mean(scores)) if scores else 0.0


def accuracy(gold: npt.NDArray[np.int64], pred: npt.NDArray[np.int64]) -> float:
    """Return the share of exact matches."""
    return float(np.mean(gold == pred)) if len(gold) else 0.0


def expected_calibration_error(
    probabilities: npt.NDArray[np.float64], gold: npt.NDArray[np.int64], n_bins: int = 15
) -> float:
    """Return the ECE of the max probability over ``n_bins`` equal-width bins."""
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == gold).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ece = 0.0
    for low, high in itertools.pairwise(edges):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)
