"""Vectorised correlations between matching columns of two matrices.

Per-neuroid Pearson r on held-out data, the split-half consistencies of the ceilings and the
comparison of RDMs all reduce to "correlate column *k* of A with column *k* of B" over many
columns at once; these functions do that without a Python loop.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["pearson_columns", "spearman_columns", "constant_columns", "spearman_brown",
           "kendall_tau_a"]


def constant_columns(values: np.ndarray, axis: int = 0) -> np.ndarray:
    """Which columns do not vary along ``axis`` (their correlation is undefined)."""
    values = np.asarray(values)
    return np.all(values == np.take(values, [0], axis=axis), axis=axis)


def pearson_columns(a: np.ndarray, b: np.ndarray, axis: int = 0) -> np.ndarray:
    """Pearson r between ``a`` and ``b`` along ``axis``, for every other index at once.

    Parameters
    ----------
    a, b
        Arrays of the same shape.
    axis
        The axis of observations (e.g. stimuli).

    Returns
    -------
    numpy.ndarray
        ``a``'s shape without ``axis``; NaN where either column is constant.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"Cannot correlate arrays of shapes {a.shape} and {b.shape}.")
    a = a - a.mean(axis=axis, keepdims=True)
    b = b - b.mean(axis=axis, keepdims=True)
    numerator = (a * b).sum(axis=axis)
    denominator = np.sqrt((a * a).sum(axis=axis) * (b * b).sum(axis=axis))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(denominator == 0, np.nan, numerator / denominator)
    return np.clip(r, -1.0, 1.0)


def spearman_columns(a: np.ndarray, b: np.ndarray, axis: int = 0) -> np.ndarray:
    """Spearman rank correlation along ``axis`` (Pearson r of average ranks)."""
    return pearson_columns(stats.rankdata(a, axis=axis), stats.rankdata(b, axis=axis), axis=axis)


def kendall_tau_a(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-a between two vectors: (concordant - discordant) / (n (n - 1) / 2).

    Unlike tau-b, ties count as neither concordant nor discordant and are not corrected for,
    which is the variant recommended for comparing RDMs with tied model predictions
    (Nili et al., 2014).
    """
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    n = a.size
    if n < 2:
        return float("nan")
    # Blocked pairwise signs keep memory at O(block * n) for long RDM vectors.
    total = 0.0
    block = max(1, 2_000_000 // n)
    for start in range(0, n, block):
        stop = min(n, start + block)
        sa = np.sign(a[start:stop, None] - a[None, :])
        sb = np.sign(b[start:stop, None] - b[None, :])
        total += float((sa * sb).sum())
    return total / (n * (n - 1))


def spearman_brown(r: np.ndarray | float, factor: float = 2.0) -> np.ndarray | float:
    """Spearman–Brown prophecy: the reliability of data ``factor`` times as long.

    ``factor=2`` turns a split-half correlation into the reliability of the full data,
    ``2 r / (1 + r)``.
    """
    r = np.asarray(r, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = factor * r / (1.0 + (factor - 1.0) * r)
    return out if out.ndim else float(out)
