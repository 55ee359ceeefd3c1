"""Bootstrap, permutation tests and Benjamini–Hochberg against scipy and direct loops."""

import numpy as np
import pytest
from scipy import stats

from dynamic_vision.statistics.inference import benjamini_hochberg, bootstrap_ci, permutation_test


def test_benjamini_hochberg_matches_scipy():
    p = np.random.default_rng(0).uniform(size=200) ** 3
    p[:5] = [0.0, 1.0, 0.5, 0.5, 1e-9]
    np.testing.assert_allclose(benjamini_hochberg(p), stats.false_discovery_control(p),
                               rtol=1e-12)
    grid = p.reshape(10, 20)
    adjusted, reject = benjamini_hochberg(grid, q=0.05)
    assert adjusted.shape == (10, 20)
    np.testing.assert_array_equal(reject.ravel(), stats.false_discovery_control(p) <= 0.05)


def test_benjamini_hochberg_refuses_invalid_p_values():
    with pytest.raises(ValueError, match=r"^p-values must be finite numbers in \[0, 1\]\.$"):
        benjamini_hochberg([0.1, np.nan])


def test_bootstrap_matches_direct_loop_and_scipy():
    values = np.random.default_rng(1).normal(loc=2.0, size=40)
    low, high = bootstrap_ci(values, n_resamples=2000, seed=3)
    rng = np.random.default_rng(3)
    draws = rng.integers(0, 40, size=(2000, 40))
    means = [values[rows].mean() for rows in draws]
    assert low == pytest.approx(np.quantile(means, 0.025))
    assert high == pytest.approx(np.quantile(means, 0.975))
    reference = stats.bootstrap((values,), np.mean, n_resamples=2000, method="percentile",
                                random_state=0).confidence_interval
    assert low == pytest.approx(reference.low, abs=0.05)
    assert high == pytest.approx(reference.high, abs=0.05)


def test_bootstrap_per_column():
    values = np.random.default_rng(2).normal(size=(30, 3)) + np.array([0.0, 5.0, -5.0])
    low, high = bootstrap_ci(values, n_resamples=300, axis=0)
    assert low.shape == (3,) and np.all(low < values.mean(0)) and np.all(values.mean(0) < high)


def _pearson(x, y):
    return stats.pearsonr(x, y).statistic


def test_exact_permutation_test_matches_scipy():
    rng = np.random.default_rng(4)
    x = rng.normal(size=6)
    y = x + rng.normal(size=6)
    observed, p = permutation_test(x, y, _pearson, alternative="greater")
    # one sample under "pairings": scipy permutes y against the fixed x, all 6! orders
    reference = stats.permutation_test((y,), lambda y_: _pearson(x, y_), vectorized=False,
                                       permutation_type="pairings", alternative="greater",
                                       n_resamples=np.inf)
    assert observed == pytest.approx(reference.statistic)
    assert p == pytest.approx(reference.pvalue)


def test_monte_carlo_permutation_test_is_never_zero_and_detects_association():
    rng = np.random.default_rng(5)
    x = rng.normal(size=40)
    _, p_related = permutation_test(x, x + 0.3 * rng.normal(size=40), _pearson,
                                    n_permutations=500)
    _, p_unrelated = permutation_test(x, rng.normal(size=40), _pearson, n_permutations=500,
                                      alternative="two-sided")
    assert p_related == pytest.approx(1 / 501)
    assert p_unrelated > 0.05
