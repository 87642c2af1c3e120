"""Calibration of the sentiment branch: fitting, storage, and its use at run time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlp.calibration import CALIBRATION_FILE, Calibration, fit_calibration, load_calibration
from nlp.sentiment_minilm import DEFAULT_WEIGHTS_DIR, BranchRunner, sentiment_model_id


def _sample(
    temperature: float, bias: tuple[float, float, float], n: int = 20_000
) -> tuple[np.ndarray, np.ndarray]:
    """Logits and labels drawn from softmax(logits / temperature + bias)."""
    rng = np.random.default_rng(3)
    logits = rng.normal(0.0, 3.0, size=(n, 3))
    probs = Calibration(temperature, bias).probabilities(logits)
    gold = np.array([rng.choice(3, p=p) for p in probs])
    return logits, gold


def test_fit_recovers_a_known_temperature() -> None:
    logits, gold = _sample(2.0, (0.0, 0.0, 0.0))
    fitted = fit_calibration(logits, gold)
    assert fitted.temperature == pytest.approx(2.0, rel=0.05)
    assert fitted.class_bias == (0.0, 0.0, 0.0)


def test_fit_recovers_a_known_class_bias() -> None:
    logits, gold = _sample(1.5, (0.0, 0.8, -0.5))
    fitted = fit_calibration(logits, gold, class_bias=True)
    assert fitted.temperature == pytest.approx(1.5, rel=0.05)
    assert fitted.class_bias[1] == pytest.approx(0.8, abs=0.1)
    assert fitted.class_bias[2] == pytest.approx(-0.5, abs=0.1)


def test_a_temperature_alone_never_changes_the_label() -> None:
    logits, _ = _sample(1.0, (0.0, 0.0, 0.0), n=500)
    for temperature in (0.3, 1.7, 6.0):
        probs = Calibration(temperature).probabilities(logits)
        assert np.array_equal(probs.argmax(axis=1), logits.argmax(axis=1))
        assert np.allclose(probs.sum(axis=1), 1.0)


def test_fit_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError, match=r"need \(n, 3\) logits"):
        fit_calibration(np.zeros((0, 3)), np.zeros(0))
    with pytest.raises(ValueError, match=r"need \(n, 3\) logits"):
        fit_calibration(np.zeros((4, 2)), np.zeros(4))


def test_save_load_round_trip_and_fallback(tmp_path: Path) -> None:
    assert load_calibration(tmp_path, {"temperature": 1.3}).temperature == 1.3
    Calibration(1.8, (0.0, 0.2, -0.1), "somewhere", {"mean_probability": [0.2, 0.5, 0.3]}).save(
        tmp_path
    )
    loaded = load_calibration(tmp_path, {"temperature": 1.3})
    assert (loaded.temperature, loaded.class_bias, loaded.fitted_on) == (
        1.8,
        (0.0, 0.2, -0.1),
        "somewhere",
    )
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps({"temperature": -1}), encoding="utf-8")
    with pytest.raises(ValueError, match="positive temperature"):
        load_calibration(tmp_path, {})


def test_shipped_weights_use_the_val_calibration() -> None:
    runner = BranchRunner(None, "cpu")
    assert runner.calibration.fitted_on.startswith("tweeteval_val")
    shipped = json.loads((DEFAULT_WEIGHTS_DIR / CALIBRATION_FILE).read_text(encoding="utf-8"))
    assert runner.calibration.temperature == shipped["temperature"]


def test_calibration_changes_the_model_id_and_the_probabilities(tmp_path: Path) -> None:
    for name in ("branch.safetensors", "config.json"):
        shutil.copy(DEFAULT_WEIGHTS_DIR / name, tmp_path / name)
    text = ["The export keeps failing and support never answers."]
    without = sentiment_model_id(tmp_path)
    cool = BranchRunner(tmp_path, "cpu").run(text, batch_size=8, embed=False).probabilities
    Calibration(4.0, fitted_on="test").save(tmp_path)
    assert sentiment_model_id(tmp_path) != without
    warm = BranchRunner(tmp_path, "cpu").run(text, batch_size=8, embed=False).probabilities
    assert warm.max() < cool.max()  # a higher temperature is less confident
    assert warm.argmax() == cool.argmax()
