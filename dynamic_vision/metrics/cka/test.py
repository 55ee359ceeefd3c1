"""CKA against its direct kernel formula and the U-statistic definition of unbiased HSIC."""

import itertools

import numpy as np
import pytest

from dynamic_vision.metrics.cka.cka import linear_cka, unbiased_hsic
from dynamic_vision.testing import check_metric


@pytest.mark.parametrize("identifier", ["cka", "cka-debiased"])
def test_conformance(identifier):
    check_metric(identifier)


def _hsic_biased(K, L):
    n = K.shape[0]
    H = np.eye(n) - np.ones((n, n)) / n
    return np.trace(K @ H @ L @ H) / (n - 1) ** 2


def test_linear_cka_equals_kernel_formula():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(25, 40)), rng.normal(size=(25, 7))
    Y[:, 0] += X[:, 0]
    K, L = X @ X.T, Y @ Y.T
    expected = _hsic_biased(K, L) / np.sqrt(_hsic_biased(K, K) * _hsic_biased(L, L))
    assert linear_cka(X, Y) == pytest.approx(expected, rel=1e-12)
    # invariances: isotropic scaling and orthogonal transforms
    Q, _ = np.linalg.qr(rng.normal(size=(40, 40)))
    assert linear_cka(3.0 * X @ Q, Y) == pytest.approx(expected, rel=1e-10)


def test_unbiased_hsic_equals_u_statistic_definition():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    K, L = X @ X.T, Y @ Y.T
    terms = [K[t, u] * L[t, u] + K[t, u] * L[v, w] - 2 * K[t, u] * L[t, v]
             for t, u, v, w in itertools.permutations(range(7), 4)]
    assert unbiased_hsic(K, L) == pytest.approx(np.mean(terms), rel=1e-10)


def test_debiasing_removes_the_bias_for_independent_wide_representations():
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(30, 500)), rng.normal(size=(30, 500))
    assert linear_cka(X, Y) > 0.4  # biased CKA is large for unrelated wide matrices
    assert abs(linear_cka(X, Y, debiased=True)) < 0.1
    assert linear_cka(X, X, debiased=True) == pytest.approx(1.0)
