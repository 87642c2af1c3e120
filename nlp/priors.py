"""Class-prior correction of sentiment probabilities on a scored batch (Saerens et al. 2002).

A classifier's probabilities assume the label mix it was trained under. Customer feedback has
another mix (people write to complain), so on a batch whose mix is unknown the priors are
re-estimated by EM: adjust every item's posterior to the current prior estimate, average the
adjusted posteriors into a new estimate, repeat until it settles. The sentiment branch is
trained with a class-balanced loss, so its training prior is uniform (``UNIFORM``).

Saerens, Latinne, Decaestecker, "Adjusting the outputs of a classifier to new a priori
probabilities: a simple procedure", Neural Computation 14(1), 2002.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

UNIFORM = (1 / 3, 1 / 3, 1 / 3)


@dataclass(frozen=True)
class PriorEstimate:
    """Estimated label mix of a batch and its prior-corrected probabilities."""

    priors: tuple[float, ...]
    probabilities: npt.NDArray[np.float64]
    iterations: int
    converged: bool


def adjust(
    probabilities: npt.NDArray[np.float64],
    new_priors: npt.ArrayLike,
    train_priors: npt.ArrayLike = UNIFORM,
) -> npt.NDArray[np.float64]:
    """Rescale posteriors from ``train_priors`` to ``new_priors`` (Bayes' rule), rows sum to 1."""
    p = np.asarray(probabilities, dtype=np.float64)
    ratio = np.asarray(new_priors, dtype=np.float64) / np.asarray(train_priors, dtype=np.float64)
    scaled = p * ratio[None, :]
    total = scaled.sum(axis=1, keepdims=True)
    out: npt.NDArray[np.float64] = scaled / np.where(total > 0, total, 1.0)
    return out


def estimate_priors(
    probabilities: npt.ArrayLike,
    train_priors: npt.ArrayLike = UNIFORM,
    *,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
    floor: float = 1e-3,
) -> PriorEstimate:
    """EM re-estimation of the batch's class priors from calibrated posteriors.

    ``floor`` keeps every prior above zero (a class absent from a small batch would otherwise
    be ruled out for good). Raises ``ValueError`` on an empty batch or a shape mismatch.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    train = np.asarray(train_priors, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] != train.shape[0]:
        raise ValueError(
            f"probabilities must be a non-empty (n, {train.shape[0]}) array, got {p.shape}"
        )
    priors = train.copy()
    converged = False
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported below
        posterior = adjust(p, priors, train)
        updated = np.maximum(posterior.mean(axis=0), floor)
        updated /= updated.sum()
        delta = float(np.abs(updated - priors).max())
        priors = updated
        if delta < tolerance:
            converged = True
            break
    return PriorEstimate(
        tuple(float(x) for x in priors), adjust(p, priors, train), iterations, converged
    )
