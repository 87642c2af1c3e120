"""EM re-estimation of class priors (nlp.priors) on synthetic batches with a known mix."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.priors import UNIFORM, adjust, estimate_priors


def synthetic_batch(
    mix: tuple[float, float, float], n: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Posteriors of a calibrated classifier trained under a uniform prior, on a batch of ``mix``.

    Each class has its own likelihood over three noisy "evidence" cells; with a uniform training
    prior, the calibrated posterior is the normalised likelihood row.
    """
    rng = np.random.default_rng(seed)
    gold = rng.choice(3, size=n, p=mix)
    likelihood = np.array([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.2, 0.7]])
    cell = np.array([rng.choice(3, p=likelihood[y]) for y in gold])
    posterior = likelihood[:, cell].T / likelihood[:, cell].T.sum(axis=1, keepdims=True)
    return posterior, gold


def test_em_recovers_a_known_mix() -> None:
    probs, _ = synthetic_batch((0.6, 0.3, 0.1), 6000, seed=3)

    estimate = estimate_priors(probs)

    assert estimate.converged
    assert estimate.priors == pytest.approx((0.6, 0.3, 0.1), abs=0.04)
    assert np.allclose(estimate.probabilities.sum(axis=1), 1.0)


def test_correction_raises_accuracy_on_a_skewed_batch() -> None:
    probs, gold = synthetic_batch((0.7, 0.2, 0.1), 4000, seed=5)

    corrected = estimate_priors(probs).probabilities

    before = float(np.mean(probs.argmax(axis=1) == gold))
    after = float(np.mean(corrected.argmax(axis=1) == gold))
    assert after > before + 0.02


def test_a_uniform_batch_stays_near_uniform() -> None:
    probs, _ = synthetic_batch(UNIFORM, 6000, seed=7)

    assert estimate_priors(probs).priors == pytest.approx(UNIFORM, abs=0.04)


def test_adjust_to_the_training_prior_is_the_identity() -> None:
    probs, _ = synthetic_batch((0.5, 0.3, 0.2), 50, seed=1)

    assert np.allclose(adjust(probs, UNIFORM), probs)


def test_bad_input_names_the_shape() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        estimate_priors(np.zeros((0, 3)))
