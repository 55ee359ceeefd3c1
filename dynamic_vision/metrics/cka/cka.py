"""Centred kernel alignment (Kornblith et al., 2019), linear and debiased.

Linear CKA is ``HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L))`` with linear kernels
``K = XXᵀ``, ``L = YYᵀ`` and the biased HSIC estimator ``tr(HKHL)``. The debiased variant
replaces it with the unbiased HSIC estimator of Song et al. (2012), which removes the
positive bias CKA has when features outnumber stimuli.
"""

from __future__ import annotations

import functools

import numpy as np

from dynamic_vision.metric_kinds.representational import RepresentationalMetric
from dynamic_vision.statistics.splits import Splitter

__all__ = ["linear_cka", "unbiased_hsic", "build", "build_debiased"]


def linear_cka(X: np.ndarray, Y: np.ndarray, debiased: bool = False) -> float:
    """Linear CKA between two stimulus-aligned representations (stimuli × features)."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if debiased:
        K, L = X @ X.T, Y @ Y.T
        denominator = np.sqrt(unbiased_hsic(K, K) * unbiased_hsic(L, L))
        return float(unbiased_hsic(K, L) / denominator) if denominator > 0 else float("nan")
    X = X - X.mean(0)
    Y = Y - Y.mean(0)
    # ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) equals the kernel form and avoids n × n matrices.
    cross = np.linalg.norm(Y.T @ X) ** 2
    denominator = np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y)
    return float(cross / denominator) if denominator > 0 else float("nan")


def unbiased_hsic(K: np.ndarray, L: np.ndarray) -> float:
    """Song et al. (2012)'s unbiased HSIC estimator (needs at least 4 samples)."""
    n = K.shape[0]
    if n < 4:
        raise ValueError(f"The unbiased HSIC estimator needs at least 4 stimuli, got {n}.")
    K = K.copy()
    L = L.copy()
    np.fill_diagonal(K, 0.0)
    np.fill_diagonal(L, 0.0)
    trace = float(np.sum(K * L))
    sums = K.sum() * L.sum() / ((n - 1) * (n - 2))
    cross = 2.0 * float(K.sum(0) @ L.sum(1)) / (n - 2)
    return (trace + sums - cross) / (n * (n - 3))


def build(debiased: bool = False, splits: Splitter | None = None) -> RepresentationalMetric:
    """The CKA metric (procedure: :class:`~dynamic_vision.metric_kinds.representational.
    RepresentationalMetric`).

    Parameters
    ----------
    debiased
        Use the unbiased HSIC estimator.
    splits
        Stimulus subsets (their training parts); default 10 × 90 %.
    """
    return RepresentationalMetric(functools.partial(linear_cka, debiased=debiased), splits)


def build_debiased(splits: Splitter | None = None) -> RepresentationalMetric:
    """Debiased linear CKA (see :func:`build`)."""
    return build(debiased=True, splits=splits)
