"""Inference by scipy: BCa bootstrap intervals and permutation p-values, and where scores use
them (the regression metrics' neuroid bootstrap, the behavioural metrics' image bootstrap)."""

from itertools import permutations

import numpy as np
import pytest
from scipy import stats

from dynamic_vision.metric_kinds.regression import neuroid_bootstrap
from dynamic_vision.statistics.inference import bootstrap_interval, permutation_p_value


def _mean(x, axis=-1):
    return np.mean(x, axis=axis)


def _pearson(x, y):
    x = x - x.mean(axis=-1, keepdims=True)
    y = y - y.mean(axis=-1, keepdims=True)
    return (x * y).sum(-1) / np.sqrt((x * x).sum(-1) * (y * y).sum(-1))


def test_bootstrap_interval_is_scipys_bca():
    values = np.random.default_rng(1).exponential(size=25)
    interval = bootstrap_interval((values,), _mean, n_resamples=2000, seed=3)
    reference = stats.bootstrap((values,), _mean, n_resamples=2000, method="BCa",
                                rng=np.random.default_rng(3))
    assert interval.method == "BCa" and interval.confidence == 0.95
    assert interval.low == pytest.approx(reference.confidence_interval.low, rel=1e-12)
    assert interval.high == pytest.approx(reference.confidence_interval.high, rel=1e-12)
    assert interval.standard_error == pytest.approx(reference.standard_error, rel=1e-12)


@pytest.mark.slow
def test_bca_covers_better_than_the_percentile_bootstrap_on_small_skewed_samples():
    """The reason for BCa: on n = 10 exponential samples a percentile interval under-covers."""
    rng = np.random.default_rng(11)
    covered = {"BCa": 0, "percentile": 0}
    trials = 300
    for trial in range(trials):
        values = rng.exponential(size=10)
        for method in covered:
            interval = bootstrap_interval((values,), _mean, n_resamples=500, seed=trial,
                                          method=method)
            covered[method] += interval.low <= 1.0 <= interval.high
    assert covered["BCa"] > covered["percentile"]
    assert covered["BCa"] / trials > 0.85


def test_bootstrap_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="confidence must lie in"):
        bootstrap_interval((np.arange(5.0),), _mean, confidence=1.0)
    with pytest.raises(ValueError, match="at least 2 observations"):
        bootstrap_interval((np.arange(1.0),), _mean)


def test_exact_permutation_p_value_matches_enumeration():
    rng = np.random.default_rng(4)
    x = rng.normal(size=6)
    y = x + rng.normal(size=6)
    observed, p = permutation_p_value(x, y, _pearson)
    null = [_pearson(x, y[list(order)]) for order in permutations(range(6))]
    assert observed == pytest.approx(_pearson(x, y))
    assert p == pytest.approx(np.mean(np.asarray(null) >= observed - 1e-12))


def test_monte_carlo_permutation_p_value_is_never_zero_and_detects_association():
    rng = np.random.default_rng(5)
    x = rng.normal(size=40)
    _, related = permutation_p_value(x, x + 0.3 * rng.normal(size=40), _pearson,
                                     n_resamples=500)
    _, unrelated = permutation_p_value(x, rng.normal(size=40), _pearson, n_resamples=500,
                                       alternative="two-sided")
    assert related == pytest.approx(1 / 501)
    assert unrelated > 0.05


def test_neuroid_bootstrap_resamples_neuroids_jointly_over_splits_and_bins():
    rng = np.random.default_rng(6)
    raw = 0.5 + 0.2 * rng.normal(size=(10, 30, 3))  # split × neuroid × time_bin
    raw[:, 4] = np.nan  # a constant neuroid: left out
    low, high = neuroid_bootstrap(raw, n_resamples=1500, seed=2)
    kept = np.delete(raw, 4, axis=1)

    def statistic(neuroids, axis=-1):  # a loop over resamples, as an independent reference
        shape = np.shape(neuroids)[:-1]
        flat = np.reshape(neuroids, (-1, np.shape(neuroids)[-1]))
        values = [np.median(kept[:, rows], axis=1).mean() for rows in flat]
        return np.asarray(values).reshape(shape)

    reference = stats.bootstrap((np.arange(kept.shape[1]),), statistic, n_resamples=1500,
                                method="BCa", rng=np.random.default_rng(2)).confidence_interval
    assert (low, high) == pytest.approx((reference.low, reference.high), rel=1e-10)
    estimate = np.median(kept, axis=1).mean()
    assert low < estimate < high
