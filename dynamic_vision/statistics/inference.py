"""Statistics on scores: bootstrap confidence intervals, permutation tests, FDR control.

All resampling is seeded (``seed``) so that results are reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import permutations

import numpy as np

__all__ = ["bootstrap_ci", "permutation_test", "benjamini_hochberg"]


def bootstrap_ci(values: np.ndarray, statistic: Callable[..., np.ndarray] = np.mean,
                 n_resamples: int = 1000, confidence: float = 0.95, seed: int = 0,
                 axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap confidence interval of ``statistic`` over ``axis``.

    Parameters
    ----------
    values
        Samples (e.g. per-neuroid scores) along ``axis``.
    statistic
        Called as ``statistic(resampled, axis=axis)``; vectorised statistics are fastest.
    n_resamples
        Bootstrap resamples (drawn with replacement, each of the full sample size).
    confidence
        Coverage of the interval.
    seed
        Random seed.

    Returns
    -------
    (low, high)
        Percentiles ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` of the bootstrap
        distribution (arrays shaped like ``statistic``'s output).
    """
    values = np.moveaxis(np.asarray(values, dtype=np.float64), axis, 0)
    n = values.shape[0]
    if n < 2:
        raise ValueError(f"A bootstrap needs at least 2 samples along axis {axis}, got {n}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}.")
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, n, size=(n_resamples, n))
    distribution = np.stack([statistic(values[rows], axis=0) for rows in indices])
    alpha = (1.0 - confidence) / 2.0
    return (np.quantile(distribution, alpha, axis=0),
            np.quantile(distribution, 1.0 - alpha, axis=0))


def permutation_test(x: np.ndarray, y: np.ndarray,
                     statistic: Callable[[np.ndarray, np.ndarray], float],
                     n_permutations: int = 10_000, seed: int = 0,
                     alternative: str = "greater") -> tuple[float, float]:
    """Permutation p-value for an association between paired samples ``x`` and ``y``.

    The pairing is broken by permuting ``y``. When ``n!`` does not exceed ``n_permutations``
    every permutation is enumerated and the p-value is exact (the share of permutations at
    least as extreme, the identity included); otherwise ``n_permutations`` random
    permutations give ``(1 + #extreme) / (1 + n_permutations)``, which never returns 0.

    Parameters
    ----------
    x, y
        Paired samples (first axis).
    statistic
        ``statistic(x, y) -> float``, e.g. a correlation or a score.
    alternative
        ``"greater"``, ``"less"`` or ``"two-sided"`` (compares absolute values).

    Returns
    -------
    (observed, p_value)
    """
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError(f"alternative must be 'greater', 'less' or 'two-sided', got "
                         f"{alternative!r}.")
    x, y = np.asarray(x), np.asarray(y)
    n = len(y)
    if len(x) != n:
        raise ValueError(f"x and y must be paired: {len(x)} != {n} samples.")
    observed = float(statistic(x, y))
    exact = math.factorial(n) <= n_permutations
    if exact:
        orders = (np.array(order) for order in permutations(range(n)))
    else:
        rng = np.random.default_rng(seed)
        orders = (rng.permutation(n) for _ in range(n_permutations))
    null = np.array([statistic(x, y[order]) for order in orders], dtype=np.float64)
    # relative tolerance so that permutations equal to the observed value count as extreme
    tolerance = 1e-12 * max(1.0, abs(observed))
    if alternative == "greater":
        extreme = null >= observed - tolerance
    elif alternative == "less":
        extreme = null <= observed + tolerance
    else:
        extreme = np.abs(null) >= abs(observed) - tolerance
    if exact:
        return observed, float(extreme.mean())
    return observed, float((1 + extreme.sum()) / (1 + n_permutations))


def benjamini_hochberg(p_values: np.ndarray, q: float | None = None
                       ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Benjamini–Hochberg adjusted p-values (false discovery rate control).

    ``adjusted[i] = min_{j: p_j >= p_i} p_j · m / rank(p_j)``, clipped to 1 — the values of
    ``scipy.stats.false_discovery_control(p, method="bh")``.

    Parameters
    ----------
    p_values
        Any shape; NaNs are not allowed.
    q
        When given, also return the boolean rejections at FDR level ``q``.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must be finite numbers in [0, 1].")
    flat = p.ravel()
    m = flat.size
    order = np.argsort(flat)
    scaled = flat[order] * m / np.arange(1, m + 1)
    adjusted_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty_like(flat)
    adjusted[order] = np.clip(adjusted_sorted, 0.0, 1.0)
    adjusted = adjusted.reshape(p.shape)
    if q is None:
        return adjusted
    return adjusted, adjusted <= q
