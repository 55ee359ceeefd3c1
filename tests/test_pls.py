"""PLSRegression (kernel form) and LeastSquaresRegression against scikit-learn."""

import numpy as np
import pytest
from sklearn.cross_decomposition import PLSRegression as SklearnPLS
from sklearn.linear_model import LinearRegression

from dynamic_vision.statistics.linear_models import cross_predict
from dynamic_vision.statistics.linear_models.least_squares import LeastSquaresRegression
from dynamic_vision.statistics.linear_models.pls import PLSRegression


def _data(n, p, t, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + 2.0
    Y = 0.1 * X @ rng.normal(size=(p, t)) + rng.normal(size=(n, t)) + 1.0
    return X, Y, rng.normal(size=(15, p)) + 2.0


def _relative(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


@pytest.mark.parametrize("n,p,t,k,scale", [
    (60, 200, 5, 10, False), (100, 30, 4, 8, False), (60, 80, 3, 6, True),
    (50, 40, 1, 5, False), (30, 20, 70, 4, False)],
    ids=["wide", "tall", "scaled", "one-target", "many-targets"])
def test_pls_matches_sklearn(n, p, t, k, scale):
    X, Y, X_test = _data(n, p, t)
    # A tight tolerance lets scikit-learn's NIPALS iteration reach the limit we compute exactly.
    reference = SklearnPLS(n_components=k, scale=scale, max_iter=5000, tol=1e-15).fit(X, Y)
    ours = PLSRegression(n_components=k, scale=scale).fit(X, Y)
    assert _relative(ours.predict(X_test).reshape(15, -1),
                     reference.predict(X_test).reshape(15, -1)) < 1e-6
    # scores agree up to each component's sign
    np.testing.assert_allclose(np.abs(ours.x_scores_), np.abs(reference.x_scores_), rtol=1e-5,
                               atol=1e-6 * np.abs(reference.x_scores_).max())


def test_pls_with_brainscore_defaults_on_a_shared_gram():
    X, Y, _ = _data(70, 150, 6, seed=2)
    splits = [(np.arange(14, 70), np.arange(14)), (np.arange(56), np.arange(56, 70))]
    predictions, _ = cross_predict(PLSRegression(25), X, Y, splits)
    for (train, test), predicted in zip(splits, predictions):
        reference = SklearnPLS(25, scale=False, max_iter=5000, tol=1e-15).fit(X[train],
                                                                              Y[train])
        assert _relative(predicted, reference.predict(X[test])) < 1e-6


def test_leading_eigenpair_matches_a_dense_eigendecomposition():
    import torch

    from dynamic_vision.statistics.linear_models.pls import leading_eigenpair

    rng = np.random.default_rng(3)
    basis = np.linalg.qr(rng.normal(size=(300, 300)))[0]
    values = np.r_[1.0, 0.999, 0.99, rng.uniform(0, 0.9, 297)]  # a 0.1 % leading gap
    M = torch.as_tensor((basis * values) @ basis.T)
    vector, value = leading_eigenpair(lambda x: M @ x, 300, M.dtype, M.device)
    assert float(value) == pytest.approx(1.0, rel=1e-12)
    assert abs(float(vector @ torch.as_tensor(basis[:, 0]))) == pytest.approx(1.0, abs=1e-8)


def test_many_targets_take_the_iterative_path_and_still_match_sklearn(monkeypatch):
    from dynamic_vision.statistics.linear_models import pls

    X, Y, X_test = _data(80, 300, 150, seed=4)  # 150 targets: Lanczos, not a dense eigh
    reference = SklearnPLS(12, scale=False, max_iter=5000, tol=1e-15).fit(X, Y)
    ours = PLSRegression(12).fit(X, Y)
    assert _relative(ours.predict(X_test), reference.predict(X_test)) < 1e-6
    monkeypatch.setattr(pls, "_DIRECT_SIZE", 10_000)  # the dense path gives the same fit
    dense = PLSRegression(12).fit(X, Y)
    assert _relative(ours.predict(X_test), dense.predict(X_test)) < 1e-9


@pytest.mark.parametrize("t", [1, 6, 120], ids=["one-target", "direct", "lanczos"])
def test_all_splits_at_once_equal_fitting_each_split(t):
    """cross_predict fits PLS on every split in lockstep; each split alone gives the same."""
    import torch

    from dynamic_vision.statistics.linear_models.kernel import center_kernel, gram

    X, Y, _ = _data(90, 300, t, seed=5)
    Y = Y[:, 0] if t == 1 else Y
    rng = np.random.default_rng(0)
    splits = [(np.sort(idx[:72 + i]), np.sort(idx[72 + i:]))  # unequal training sizes
              for i, idx in enumerate(rng.permutation(90) for _ in range(4))]
    together, fitted = cross_predict(PLSRegression(12), X, Y, splits)
    K = gram(torch.as_tensor(X))
    for (train, test), predicted, model in zip(splits, together, fitted):
        K_train, K_test = center_kernel(K[train][:, train], K[test][:, train])
        alone = PLSRegression(12).fit_kernel(K_train, Y[train])
        assert _relative(predicted, alone.predict_kernel(K_test)) < 1e-10
        assert _relative(model.predict_kernel(K_test), predicted) < 1e-12
        assert model.n_components_ == alone.n_components_ == 12
        np.testing.assert_allclose(np.abs(model.x_scores_), np.abs(alone.x_scores_),
                                   atol=1e-9 * np.abs(alone.x_scores_).max())


def test_all_splits_at_once_stop_where_targets_are_explained():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(60, 3)) @ rng.normal(size=(3, 100))  # features of rank 3
    Y = X @ rng.normal(size=(100, 2))  # in their span: explained after 3 components at most
    splits = [(np.arange(10, 60), np.arange(10)), (np.arange(50), np.arange(50, 60))]
    with pytest.warns(RuntimeWarning, match="PLS stopped after"):
        predictions, fitted = cross_predict(PLSRegression(20), X, Y, splits)
    for (train, test), predicted, model in zip(splits, predictions, fitted):
        assert model.n_components_ < 20
        np.testing.assert_allclose(predicted, Y[test], atol=1e-6 * np.abs(Y).max())


def test_pls_stops_when_targets_are_explained():
    X, _, _ = _data(30, 10, 1)
    Y = X[:, :2] @ np.array([[1.0], [2.0]])
    with pytest.warns(RuntimeWarning, match=r"^PLS stopped after \d+ of 20 components: the "
                                            r"targets are fully explained\.$"):
        model = PLSRegression(20).fit(X, Y)
    assert model.n_components_ < 20
    np.testing.assert_allclose(model.predict(X), Y, atol=1e-8)


@pytest.mark.parametrize("n,p", [(60, 200), (100, 30)])
def test_least_squares_matches_sklearn(n, p):
    X, Y, X_test = _data(n, p, 3)
    reference = LinearRegression().fit(X, Y)
    ours = LeastSquaresRegression().fit(X, Y)
    np.testing.assert_allclose(ours.predict(X_test), reference.predict(X_test), rtol=1e-8,
                               atol=1e-8)
    splits = [(np.arange(10, n), np.arange(10))]
    (predicted,), _ = cross_predict(LeastSquaresRegression(), X, Y, splits)
    np.testing.assert_allclose(predicted, LinearRegression().fit(X[10:], Y[10:]).predict(X[:10]),
                               rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batched_lanczos_matches_a_dense_eigendecomposition(dtype):
    """Every matrix of the batch gets its own leading pair, also one of low rank (whose Krylov
    space is exhausted after three steps) next to full-rank ones."""
    from dynamic_vision.statistics.linear_models.pls_splits import _batched_lanczos

    rng = np.random.default_rng(8)
    size = 150
    spectra = [np.geomspace(10.0, 1e-3, size), np.geomspace(5.0, 1e-2, size) ** 2,
               np.r_[3.0, 2.0, 1.0, np.zeros(size - 3)]]
    matrices = []
    for spectrum in spectra:
        basis = np.linalg.qr(rng.normal(size=(size, size)))[0]
        matrices.append((basis * spectrum) @ basis.T)
    vectors, values, seconds = _batched_lanczos(np.stack(matrices).astype(dtype))
    tolerance = 1e-10 if dtype == np.float64 else 1e-5
    for matrix, vector, value in zip(matrices, vectors, values):
        expected_values, expected_vectors = np.linalg.eigh(matrix)
        assert float(value) == pytest.approx(expected_values[-1], rel=tolerance)
        assert abs(vector.astype(float) @ expected_vectors[:, -1]) == pytest.approx(
            1.0, abs=tolerance)
    np.testing.assert_allclose(np.linalg.norm(seconds.astype(float), axis=1), 1.0, rtol=1e-5)


def test_all_splits_at_once_in_float32_agree_with_float64():
    """float32 Lanczos runs stop at their working precision and still give float64's fit."""
    X, Y, _ = _data(90, 300, 120, seed=9)
    rng = np.random.default_rng(1)
    splits = [(np.sort(idx[:75]), np.sort(idx[75:])) for idx in
              (rng.permutation(90) for _ in range(3))]
    single, _ = cross_predict(PLSRegression(10, dtype="float32"), X, Y, splits)
    double, _ = cross_predict(PLSRegression(10), X, Y, splits)
    for low, high in zip(single, double):
        assert low.dtype == np.float32
        assert _relative(low, high) < 1e-5  # 4e-7 measured
