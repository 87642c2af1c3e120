"""Calibration of the sentiment branch: a temperature and an optional class bias on the logits.

The branch is trained with a class-balanced loss on the SemEval tweet pool, so its raw logits
are over-confident and assume a uniform label mix. ``calibrated = softmax(logits / T + b)``:
``T`` (temperature scaling, Guo et al. 2017) fixes the confidence; ``b`` (a per-class bias, the
log of a prior ratio; ``b[0] = 0``) moves the label mix towards the calibration set's. The fit
minimises the negative log-likelihood on a held-out set that no measure tests on (TweetEval
val by default; ``nlp.training.calibrate_sentiment``) and is stored beside the weights as
``calibration.json``, so it can be refitted without touching them.

A class bias is fitted only when asked: it bakes the calibration set's label mix into every
label, and customer feedback (mostly complaints) has another mix than tweets (see the model
card for what it does to each measure).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

CALIBRATION_FILE = "calibration.json"


@dataclass(frozen=True)
class Calibration:
    """``softmax(logits / temperature + class_bias)``; ``fitted_on`` says on which set."""

    temperature: float
    class_bias: tuple[float, float, float] = (0.0, 0.0, 0.0)
    fitted_on: str = ""
    figures: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, logits: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Calibrated probabilities of (n, 3) logits; rows sum to one."""
        z = np.asarray(logits, dtype=np.float64) / self.temperature + np.asarray(self.class_bias)
        z -= z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        out: npt.NDArray[np.float64] = e / e.sum(axis=-1, keepdims=True)
        return out

    def save(self, weights_dir: str | Path) -> Path:
        """Write ``calibration.json`` into ``weights_dir``; return its path."""
        path = Path(weights_dir) / CALIBRATION_FILE
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        return path


def load_calibration(weights_dir: str | Path, config: dict[str, Any]) -> Calibration:
    """The folder's ``calibration.json``, else the temperature in its ``config.json``."""
    path = Path(weights_dir) / CALIBRATION_FILE
    if not path.is_file():
        return Calibration(float(config["temperature"]), fitted_on="config.json temperature")
    data = json.loads(path.read_text(encoding="utf-8"))
    bias = tuple(float(b) for b in data.get("class_bias", (0.0, 0.0, 0.0)))
    if len(bias) != 3 or float(data["temperature"]) <= 0:
        raise ValueError(f"{path}: need a positive temperature and three class biases")
    return Calibration(
        float(data["temperature"]),
        (bias[0], bias[1], bias[2]),
        str(data.get("fitted_on", "")),
        dict(data.get("figures", {})),
    )


def _nll(params: npt.NDArray[np.float64], logits: npt.NDArray[np.float64], gold: Any) -> float:
    bias = np.array([0.0, params[1], params[2]]) if len(params) == 3 else np.zeros(3)
    z = logits / params[0] + bias
    z -= z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(gold)), gold]))


def fit_calibration(
    logits: npt.ArrayLike, gold: npt.ArrayLike, *, class_bias: bool = False, fitted_on: str = ""
) -> Calibration:
    """Fit the temperature (and, with ``class_bias``, two biases) minimising the NLL.

    ``logits`` may be any per-row shift of the model's logits (log-probabilities will do).
    Raises ``ValueError`` on an empty set or a shape mismatch.
    """
    from scipy.optimize import minimize

    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(gold, dtype=np.int64)
    if z.ndim != 2 or z.shape[1] != 3 or len(z) == 0 or len(y) != len(z):
        raise ValueError(f"need (n, 3) logits and n labels, got {z.shape} and {y.shape}")
    start = np.array([1.0, 0.0, 0.0] if class_bias else [1.0])
    bounds = [(0.05, 20.0)] + [(-5.0, 5.0)] * (len(start) - 1)
    result = minimize(_nll, start, args=(z, y), method="L-BFGS-B", bounds=bounds)
    params = result.x
    bias = (0.0, float(params[1]), float(params[2])) if class_bias else (0.0, 0.0, 0.0)
    return Calibration(float(params[0]), bias, fitted_on)
