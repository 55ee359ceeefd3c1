"""Brain-Score's representational similarities: RDM and CKA (``metrics/rdm``, ``metrics/cka``).

Rows are stimuli sorted by ``stimulus_id``, columns neuroids or features.

- ``rdm``: each representation's RDM is ``1 - Pearson r`` between stimuli (correlation
  distance); the strict upper triangles of the two RDMs are compared by Spearman's rank
  correlation.
- ``cka`` (unbiased): linear kernels ``K = XXᵀ`` and ``L = YYᵀ`` of the raw (uncentred) values,
  diagonals zeroed, the unbiased HSIC estimator (Song et al., 2012), and
  ``CKA = HSIC(K, L) / (sqrt(HSIC(K, K) HSIC(L, L)) + 1e-12)``, 0 when that product is not
  positive; needs 4 stimuli.
- ``cka_biased``: ``HSIC = Σ (HKH) ∘ (HLH)`` with ``H = I - 11ᵀ/n``, no epsilon.

The ``*_cv`` variants (:func:`cross_validated`) compute the similarity on the **test** part of
each of Brain-Score's test-only splits (``test_size=0.9``), then the mean and ``std / sqrt(n)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

from dynamic_vision.statistics.brainscore.regression import standard_error

__all__ = ["rdm", "rdm_similarity", "cka_unbiased", "cka_biased", "SIMILARITIES",
           "cross_validated"]


def rdm(values: np.ndarray) -> np.ndarray:
    """Correlation-distance RDM of a stimulus × feature matrix."""
    return 1.0 - np.corrcoef(np.asarray(values, dtype=np.float64))


def rdm_similarity(X: np.ndarray, Y: np.ndarray) -> float:
    """Spearman r between the strict upper triangles of the two RDMs."""
    upper = np.triu_indices(len(X), k=1)
    return float(stats.spearmanr(rdm(X)[upper], rdm(Y)[upper]).statistic)


def _hsic_unbiased(K: np.ndarray, L: np.ndarray) -> float:
    n = K.shape[0]
    K, L = K.copy(), L.copy()
    np.fill_diagonal(K, 0.0)
    np.fill_diagonal(L, 0.0)
    ones = np.ones(n)
    trace = float(np.sum(K * L))
    middle = float(ones @ K @ ones) * float(ones @ L @ ones) / ((n - 1) * (n - 2))
    last = 2.0 * float((K @ ones) @ (L @ ones)) / (n - 2)
    return (trace + middle - last) / (n * (n - 3))


def cka_unbiased(X: np.ndarray, Y: np.ndarray) -> float:
    """Brain-Score's ``cka``: unbiased linear CKA of the uncentred values."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if len(X) < 4:
        raise ValueError(f"Unbiased CKA needs at least 4 stimuli, got {len(X)}.")
    K, L = X @ X.T, Y @ Y.T
    product = _hsic_unbiased(K, K) * _hsic_unbiased(L, L)
    if product <= 0:
        return 0.0
    return float(_hsic_unbiased(K, L) / (np.sqrt(product) + 1e-12))


def cka_biased(X: np.ndarray, Y: np.ndarray) -> float:
    """Brain-Score's ``cka_biased``: ``HSIC = Σ (HKH)∘(HLH)``, no epsilon."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    n = len(X)
    H = np.eye(n) - np.ones((n, n)) / n
    K, L = H @ (X @ X.T) @ H, H @ (Y @ Y.T) @ H

    def hsic(A: np.ndarray, B: np.ndarray) -> float:
        return float(np.sum(A * B))

    return hsic(K, L) / (np.sqrt(hsic(K, K)) * np.sqrt(hsic(L, L)))


#: Brain-Score's name → the similarity of two stimulus-aligned matrices.
SIMILARITIES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "rdm": rdm_similarity, "cka": cka_unbiased, "cka_biased": cka_biased}


def cross_validated(similarity: Callable[[np.ndarray, np.ndarray], float], X: np.ndarray,
                    Y: np.ndarray, splits: Sequence[tuple[np.ndarray, np.ndarray]]
                    ) -> tuple[float, float, np.ndarray]:
    """``rdm_cv`` / ``cka_cv``: the similarity on each split's **test** part.

    Returns
    -------
    (mean, error, per_split)
        ``error`` is ``std(ddof=0) / sqrt(n_splits)``.
    """
    per_split = np.array([similarity(X[np.sort(test)], Y[np.sort(test)]) for _, test in splits])
    return float(per_split.mean()), standard_error(per_split), per_split
