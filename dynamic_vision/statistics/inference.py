"""Inference on scores, by scipy: BCa bootstrap intervals and permutation tests.

Nothing here re-implements a test; both functions are seeded wrappers around ``scipy.stats``
with the library's defaults, and both feed what a score shows:

- :func:`bootstrap_interval` (``scipy.stats.bootstrap``, bias-corrected and accelerated) gives
  the ``raw_ci`` of the regression metrics (test stimuli resampled within each split) and of the
  behavioural metrics (images resampled);
- :func:`permutation_p_value` (``scipy.stats.permutation_test``, pairings) gives the behavioural
  metrics' ``p_value``: how often a random pairing of images correlates at least as well.

For many p-values at once (time bins, neuroids, benchmarks) use
``scipy.stats.false_discovery_control`` directly.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Interval", "bootstrap_interval", "permutation_p_value"]


@dataclass(frozen=True)
class Interval:
    """A bootstrap confidence interval and the bootstrap standard error."""

    low: float
    high: float
    standard_error: float
    confidence: float
    method: str


def bootstrap_interval(samples: Sequence[np.ndarray], statistic: Callable[..., np.ndarray], *,
                       n_resamples: int = 1000, confidence: float = 0.95, seed: int = 0,
                       method: str = "BCa", batch: int | None = 250) -> Interval:
    """Bootstrap confidence interval of ``statistic`` (``scipy.stats.bootstrap``).

    Parameters
    ----------
    samples
        Independent samples, each resampled with replacement on its own (e.g. the test
        stimuli of each cross-validation split). Their values are passed to ``statistic``;
        passing ``np.arange(n)`` makes the statistic receive resampled positions.
    statistic
        Vectorised: ``statistic(*resampled, axis=-1)`` returns one value per resample (the
        resamples run along the leading axes).
    n_resamples, confidence, seed
        Bootstrap resamples, coverage of the interval and random seed.
    method
        ``"BCa"`` (default: bias-corrected and accelerated, second-order accurate) or
        ``"percentile"`` / ``"basic"``.
    batch
        Resamples evaluated at once (bounds memory).

    Returns
    -------
    Interval
        NaN bounds when the bootstrap distribution is degenerate (e.g. every resample equal).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}.")
    samples = tuple(np.asarray(sample) for sample in samples)
    if any(len(sample) < 2 for sample in samples):
        raise ValueError("A bootstrap needs at least 2 observations in every sample.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate distributions: NaN bounds, said above
        result = stats.bootstrap(samples, statistic, n_resamples=n_resamples,
                                 confidence_level=confidence, method=method, vectorized=True,
                                 paired=False, batch=batch, rng=np.random.default_rng(seed))
    interval = result.confidence_interval
    return Interval(float(interval.low), float(interval.high), float(result.standard_error),
                    confidence, method)


def permutation_p_value(x: np.ndarray, y: np.ndarray,
                        statistic: Callable[[np.ndarray, np.ndarray], np.ndarray], *,
                        n_resamples: int = 999, seed: int = 0,
                        alternative: str = "greater") -> tuple[float, float]:
    """Permutation p-value of an association between paired ``x`` and ``y``.

    ``scipy.stats.permutation_test`` with ``permutation_type="pairings"``: ``y`` is permuted
    against the fixed ``x``; every permutation is enumerated when there are no more than
    ``n_resamples`` of them (exact p-value), otherwise ``n_resamples`` random ones.

    Parameters
    ----------
    x, y
        Paired observations (first axis).
    statistic
        Vectorised: ``statistic(x, y_permuted)`` where ``y_permuted`` may carry leading
        resample axes; e.g. a Pearson correlation along the last axis.
    alternative
        ``"greater"``, ``"less"`` or ``"two-sided"``.

    Returns
    -------
    (observed, p_value)
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x and y must be paired: {len(x)} != {len(y)} observations.")
    result = stats.permutation_test(
        (y,), lambda permuted, axis=-1: statistic(x, np.moveaxis(permuted, axis, -1)),
        permutation_type="pairings", vectorized=True, n_resamples=n_resamples,
        alternative=alternative, rng=np.random.default_rng(seed))
    return float(result.statistic), float(result.pvalue)
