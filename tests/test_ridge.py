"""RidgeCVRegression against scikit-learn's RidgeCV and himalaya on the same data."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import RidgeCV

from dynamic_vision.statistics.linear_models import RidgeCVRegression, cross_predict

ALPHAS = np.logspace(-3, 4, 15)


def _data(n, p, t, seed=0, offset=3.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + offset
    noise = np.geomspace(0.05, 30, t)
    Y = 0.1 * X @ rng.normal(size=(p, t)) + rng.normal(size=(n, t)) * noise + 2.0
    X_test = rng.normal(size=(25, p)) + offset
    return X, Y, X_test


@pytest.mark.parametrize("n,p", [(60, 200), (120, 25)], ids=["gram-eigen", "svd"])
def test_matches_sklearn_ridgecv_leave_one_out(n, p):
    X, Y, X_test = _data(n, p, 8)
    reference = RidgeCV(alphas=ALPHAS, alpha_per_target=True).fit(X, Y)
    ours = RidgeCVRegression(ALPHAS, dtype="float64").fit(X, Y)
    np.testing.assert_array_equal(ours.alphas_, reference.alpha_)
    assert len(np.unique(ours.alphas_)) > 2  # the grid really is exercised per target
    np.testing.assert_allclose(ours.predict(X_test), reference.predict(X_test), rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(ours.coef_, reference.coef_.T, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-8, atol=1e-9)


def test_float32_default_is_close_to_sklearn():
    X, Y, X_test = _data(60, 200, 8)
    reference = RidgeCV(alphas=ALPHAS, alpha_per_target=True).fit(X, Y)
    ours = RidgeCVRegression(ALPHAS).fit(X, Y)
    np.testing.assert_allclose(ours.alphas_, reference.alpha_, rtol=1e-6)
    scale = np.abs(reference.predict(X_test)).max()
    assert np.abs(ours.predict(X_test) - reference.predict(X_test)).max() < 1e-4 * scale


def test_no_intercept_matches_sklearn():
    X, Y, X_test = _data(50, 120, 4, offset=0.0)
    reference = RidgeCV(alphas=ALPHAS, alpha_per_target=True, fit_intercept=False).fit(X, Y)
    ours = RidgeCVRegression(ALPHAS, fit_intercept=False, dtype="float64").fit(X, Y)
    np.testing.assert_array_equal(ours.alphas_, reference.alpha_)
    np.testing.assert_allclose(ours.predict(X_test), reference.predict(X_test), rtol=1e-9,
                               atol=1e-9)


@pytest.mark.parametrize("n,p", [(60, 200), (120, 25)], ids=["kernel", "primal"])
def test_kfold_matches_himalaya(n, p):
    from himalaya.backend import set_backend
    from himalaya.kernel_ridge import KernelRidgeCV
    from himalaya.ridge import RidgeCV as HimalayaRidgeCV

    set_backend("numpy")
    X, Y, X_test = _data(n, p, 6)
    reference = (KernelRidgeCV(alphas=ALPHAS, kernel="linear", cv=5, fit_intercept=True)
                 if p > n else HimalayaRidgeCV(alphas=ALPHAS, cv=5, fit_intercept=True))
    reference.fit(X, Y)
    ours = RidgeCVRegression(ALPHAS, cv=5, dtype="float64").fit(X, Y)
    np.testing.assert_allclose(ours.alphas_, np.asarray(reference.best_alphas_), rtol=1e-9)
    np.testing.assert_allclose(ours.predict(X_test), np.asarray(reference.predict(X_test)),
                               rtol=1e-6, atol=1e-6)


def _direct_errors(X, Y, alphas, criterion):
    """Per alpha and target: the criterion from scikit-learn Ridge fits (no shortcut)."""
    from sklearn.linear_model import Ridge

    n = len(X)
    errors = []
    for alpha in alphas:
        if criterion == "gcv":
            residual = Y - Ridge(alpha=alpha).fit(X, Y).predict(X)
            s2 = np.linalg.svd(X - X.mean(0), compute_uv=False) ** 2
            trace = 1.0 + np.sum(s2 / (s2 + alpha))  # the intercept counts one
            errors.append((residual ** 2).mean(0) / (1 - trace / n) ** 2)
        else:
            folds = []
            for train, val in criterion:
                fit = Ridge(alpha=alpha).fit(X[train], Y[train])
                folds.append(((fit.predict(X[val]) - Y[val]) ** 2).mean(0))
            errors.append(np.mean(folds, axis=0))
    return np.array(errors)


@pytest.mark.parametrize("n,p", [(60, 200), (120, 25)], ids=["kernel", "primal"])
def test_gcv_errors_match_their_definition(n, p):
    X, Y, X_test = _data(n, p, 5)
    ours = RidgeCVRegression(ALPHAS, cv="gcv", dtype="float64").fit(X, Y)
    direct = _direct_errors(X, Y, ALPHAS, "gcv")
    np.testing.assert_allclose(ours.cv_errors_, direct, rtol=1e-8)
    np.testing.assert_array_equal(ours.alphas_, ALPHAS[np.argmin(direct, axis=0)])
    assert len(np.unique(ours.alphas_)) > 1


def test_kfold_deletion_identity_equals_refitting_each_fold():
    """The kernel K-fold errors come from one decomposition; refitting each fold agrees."""
    from sklearn.model_selection import KFold

    X, Y, _ = _data(47, 150, 6)  # folds of unequal size
    folds = list(KFold(4).split(X))
    ours = RidgeCVRegression(ALPHAS, cv=4, dtype="float64").fit(X, Y)
    direct = _direct_errors(X, Y, ALPHAS, folds)
    np.testing.assert_allclose(ours.cv_errors_, direct, rtol=1e-7)
    # Splits that leave samples out of both sides take the per-fold path: same definition.
    partial = [(train[2:], val) for train, val in folds]
    ours = RidgeCVRegression(ALPHAS, cv=partial, dtype="float64").fit(X, Y)
    np.testing.assert_allclose(ours.cv_errors_, _direct_errors(X, Y, ALPHAS, partial),
                               rtol=1e-7)


def _flat_data(n, p, t, seed=0):
    """Features that dwarf the small alphas: leave-one-out curves that are nearly flat there,
    where float32 rounding alone would decide between neighbouring alphas."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Y = X @ rng.standard_normal((p, t)) / np.sqrt(p) + rng.standard_normal((n, t)) * \
        np.geomspace(0.1, 10.0, t)
    return X, Y


def test_bounds_skip_only_alphas_that_cannot_win(monkeypatch):
    from dynamic_vision.statistics.linear_models import spectral

    monkeypatch.setattr(spectral, "_SMALL_BYTES", 0)  # bounds apply above a size: always here
    X, Y = _flat_data(120, 600, 40)
    alphas = np.logspace(-1, 5, 10)
    reference = RidgeCV(alphas=alphas, alpha_per_target=True, store_cv_results=True).fit(X, Y)
    exact = reference.cv_results_.mean(0).T  # alphas × targets
    ours = RidgeCVRegression(alphas, dtype="float64").fit(X, Y)
    computed = ~np.isnan(ours.cv_errors_)
    assert 0 < (~computed).sum() < computed.sum()  # some pairs were skipped, not all
    np.testing.assert_allclose(ours.cv_errors_[computed], exact[computed], rtol=1e-8)
    best = exact.min(0)
    assert (exact[~computed] > np.broadcast_to(best, exact.shape)[~computed]).all()
    np.testing.assert_array_equal(ours.alphas_, reference.alpha_)


@pytest.mark.slow
def test_float32_chooses_the_alphas_of_float64_on_flat_curves():
    X, Y = _flat_data(200, 2000, 1000)
    alphas = np.logspace(-1, 5, 10)
    reference = RidgeCV(alphas=alphas, alpha_per_target=True).fit(X, Y).alpha_
    ours = RidgeCVRegression(alphas, dtype="float32").fit(X, Y)
    np.testing.assert_allclose(ours.alphas_, reference, rtol=1e-6)


def test_near_ties_are_settled_by_the_exact_errors():
    from dynamic_vision.statistics.linear_models.spectral import TIE_TOLERANCE, _settle_ties

    rounded = torch.tensor([[1.0, 2.0, 5.0],
                            [1.0 + TIE_TOLERANCE / 2, 1.0, float("nan")],
                            [3.0, 1.0 + TIE_TOLERANCE * 3, 1.0]], dtype=torch.float64)
    exact = torch.tensor([[1.2, 9.0, 9.0], [1.1, 9.0, 9.0], [9.0, 9.0, 9.0]],
                         dtype=torch.float64)
    asked = []

    def exact_errors(columns, tied):
        asked.append(columns.tolist())
        assert tied.tolist() == [[True], [True], [False]]
        return exact[:, columns]

    settled = rounded.clone()
    _settle_ties(settled, exact_errors)
    assert asked == [[0]]  # only target 0 has two alphas within the tolerance of its best
    assert settled[:, 0].tolist() == [1.2, 1.1, 3.0]  # tied entries replaced, the rest kept
    assert torch.equal(settled[:, 1:].nan_to_num(-1), rounded[:, 1:].nan_to_num(-1))
    assert int(settled[:, 0].argmin()) == 1  # the exact errors decide


def _whole_and_chunked(X, Y):
    """Per criterion, a fit on all targets and one on chunks of 2, after checking that they
    chose the same alphas with the same errors."""
    for cv in ("loo", 4):
        whole = RidgeCVRegression(ALPHAS, cv=cv, dtype="float64").fit(X, Y)
        chunked = RidgeCVRegression(ALPHAS, cv=cv, dtype="float64",
                                    target_chunk_size=2).fit(X, Y)
        np.testing.assert_array_equal(whole.alphas_, chunked.alphas_)
        np.testing.assert_allclose(whole.cv_errors_, chunked.cv_errors_, rtol=1e-12)
        yield whole, chunked


def test_target_chunking_does_not_change_results():
    X, Y, X_test = _data(40, 90, 7)
    for whole, chunked in _whole_and_chunked(X, Y):
        np.testing.assert_allclose(whole.predict(X_test), chunked.predict(X_test), rtol=1e-12)


def test_shared_gram_cross_prediction_equals_refitting_each_split():
    X, Y, _ = _data(50, 150, 5)
    rng = np.random.default_rng(1)
    splits = [(np.sort(idx[:40]), np.sort(idx[40:]))
              for idx in (rng.permutation(50) for _ in range(3))]
    estimator = RidgeCVRegression(ALPHAS, dtype="float64")
    predictions, fitted = cross_predict(estimator, X, Y, splits)
    for (train, test), predicted, model in zip(splits, predictions, fitted):
        reference = RidgeCV(alphas=ALPHAS, alpha_per_target=True).fit(X[train], Y[train])
        np.testing.assert_array_equal(model.alphas_, reference.alpha_)
        np.testing.assert_allclose(predicted, reference.predict(X[test]), rtol=1e-8, atol=1e-8)


def test_one_dimensional_target_and_explicit_inner_splits():
    X, Y, X_test = _data(30, 10, 1)
    inner = [(np.arange(15, 30), np.arange(15)), (np.arange(15), np.arange(15, 30))]
    model = RidgeCVRegression(ALPHAS, cv=inner, dtype="float64").fit(X, Y[:, 0])
    assert model.predict(X_test).shape == (25,)
    errors = []
    for alpha in ALPHAS:  # direct re-derivation of the two-fold criterion
        total = 0.0
        for train, val in inner:
            from sklearn.linear_model import Ridge

            fit = Ridge(alpha=alpha).fit(X[train], Y[train, 0])
            total += np.mean((fit.predict(X[val]) - Y[val, 0]) ** 2)
        errors.append(total / 2)
    assert model.alphas_[0] == ALPHAS[int(np.argmin(errors))]


def test_bad_alphas_and_shapes_are_refused():
    X, Y, _ = _data(20, 5, 2)
    with pytest.raises(ValueError, match=r"alphas must be positive and non-empty, got"):
        RidgeCVRegression([0.0, 1.0]).fit(X, Y)
    with pytest.raises(ValueError, match=r"^X has 20 samples but Y has 19\.$"):
        RidgeCVRegression().fit(X, Y[:19])
    with pytest.raises(ValueError, match=r"^Unknown cv 'press'; use 'loo', 'gcv', an int or"):
        RidgeCVRegression(cv="press").fit(X, Y)


def test_runs_on_requested_device_and_dtype():
    X, Y, X_test = _data(30, 60, 3)
    model = RidgeCVRegression(ALPHAS, device="cpu", dtype="float32").fit(X, Y)
    assert model._weights.dtype == torch.float32 and model._weights.device.type == "cpu"
    assert model.predict(X_test).dtype == np.float32


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_centered_gram_centres_while_converting(dtype):
    from dynamic_vision.statistics.linear_models.kernel import centered_gram, gram, resolve_dtype

    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 300)) + 50.0  # a large common offset, as ReLU features have
    X0 = X - X.mean(0)
    expected = X0 @ X0.T
    fast = centered_gram(X, resolve_dtype(dtype), torch.device("cpu"))
    assert fast.dtype == resolve_dtype(dtype) and fast.shape == (40, 40)
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    assert np.abs(fast.numpy() - expected).max() < tolerance * np.abs(expected).max()
    # the same as converting first and centring the tensor (the path for tensors and GPUs)
    slow = gram(torch.as_tensor(X, dtype=resolve_dtype(dtype)))
    assert np.abs(fast.numpy() - slow.numpy()).max() < 10 * tolerance * np.abs(expected).max()


def _spectrum_of(X, dtype=torch.float64):
    from dynamic_vision.statistics.linear_models.kernel import center_kernel
    from dynamic_vision.statistics.linear_models.spectral import kernel_spectrum

    X_t = torch.as_tensor(X, dtype=dtype)
    return kernel_spectrum(center_kernel(X_t @ X_t.T)[0], fit_intercept=True)


def test_shrinkage_profiles_reproduce_every_residual():
    """Where the spectrum is narrow against the grid, fewer products than alphas give every
    alpha's residuals Q (g ⊙ z); where it is broad, no plan is made."""
    from dynamic_vision.statistics.linear_models.spectral import _residual_plan, _ResidualPlan

    X, Y = _flat_data(80, 800, 30)
    spectrum = _spectrum_of(X)
    z = spectrum.project(torch.as_tensor(Y - Y.mean(0)))
    alphas = torch.as_tensor(np.logspace(-1, 5, 10))
    g = spectrum.shrinkage(alphas)
    everything = torch.ones(len(alphas), dtype=torch.bool)
    plan = _residual_plan(g, torch.ones(len(alphas), dtype=torch.float64), everything,
                          torch.float64)
    assert 0 < plan.size and plan.size + (len(alphas) - sum(plan.through)) < len(alphas)
    mixed = _ResidualPlan(plan.profiles, plan.coefficients, [True] * 5 + [False] * 5)
    wanted = torch.ones((len(alphas), z.shape[1]), dtype=torch.bool)
    wanted[7, ::2] = False  # an alpha of its own computes only the columns it is asked for
    for together, used in ((False, plan), (True, plan), (True, mixed)):
        seen = []
        for batch, columns, residuals in spectrum._residuals(used, g, z, wanted,
                                                             together=together):
            if not used.through[batch[0]]:
                assert columns.tolist() == torch.nonzero(wanted[batch[0]]).flatten().tolist()
            seen += batch
            assert len(batch) == 1 or together
            for index, residual in zip(batch, residuals):
                direct = spectrum.basis @ (g[index][:, None] * z[:, columns])
                np.testing.assert_allclose(residual.numpy(), direct.numpy(), rtol=0,
                                           atol=1e-11 * float(direct.abs().max()))
        assert sorted(seen) == list(range(len(alphas)))
    # A spectrum spread over nine decades: no small set of profiles fits every alpha.
    broad = torch.as_tensor(np.logspace(-3, 6, 80))
    g_broad = alphas[:, None] / (broad[None, :] + alphas[:, None])
    assert _residual_plan(g_broad, torch.ones(len(alphas), dtype=torch.float64), everything,
                          torch.float64).size == 0


def _dual_kfold_errors(X, Y, alphas, folds):
    """K-fold errors (alphas × targets) from a direct solve of each fold's dual system."""
    errors = np.zeros((len(alphas), Y.shape[1]))
    for train, val in folds:
        x_mean, y_mean = X[train].mean(0), Y[train].mean(0)
        Xc, Yc = X[train] - x_mean, Y[train] - y_mean
        gram, cross = Xc @ Xc.T, (X[val] - x_mean) @ Xc.T
        for index, alpha in enumerate(alphas):
            dual = np.linalg.solve(gram + alpha * np.eye(len(train)), Yc)
            errors[index] += ((cross @ dual + y_mean - Y[val]) ** 2).mean(0)
    return errors / len(folds)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_planned_leave_one_out_and_kfold_match_their_definitions(monkeypatch, dtype):
    """The large-problem paths (profiles, bounds, block solves, tie settling) against
    scikit-learn's leave-one-out errors and direct K-fold refits."""
    from sklearn.model_selection import KFold

    from dynamic_vision.statistics.linear_models import spectral

    monkeypatch.setattr(spectral, "_SMALL_BYTES", 0)
    planned = []
    plan_of = spectral._residual_plan

    def spy(*args):
        planned.append(plan_of(*args))
        return planned[-1]

    monkeypatch.setattr(spectral, "_residual_plan", spy)
    X, Y = _flat_data(90, 700, 24, seed=3)
    alphas = np.logspace(-1, 5, 10)
    rtol = 1e-8 if dtype == "float64" else 2e-4
    reference = RidgeCV(alphas=alphas, alpha_per_target=True, store_cv_results=True).fit(X, Y)
    ours = RidgeCVRegression(alphas, dtype=dtype).fit(X, Y)
    assert planned[-1].size and any(planned[-1].through)
    computed = ~np.isnan(ours.cv_errors_)
    exact = reference.cv_results_.mean(0).T
    np.testing.assert_allclose(ours.cv_errors_[computed], exact[computed], rtol=rtol)
    np.testing.assert_allclose(ours.alphas_, reference.alpha_, rtol=1e-6)
    folds = list(KFold(5).split(X))
    ours = RidgeCVRegression(alphas, cv=5, dtype=dtype).fit(X, Y)
    assert planned[-1].size and any(planned[-1].through)
    direct = _dual_kfold_errors(X, Y, alphas, folds)
    np.testing.assert_allclose(ours.cv_errors_, direct, rtol=rtol)
    np.testing.assert_allclose(ours.alphas_, alphas[np.argmin(direct, axis=0)], rtol=1e-6)


def test_target_chunking_does_not_change_planned_results(monkeypatch):
    from dynamic_vision.statistics.linear_models import spectral

    monkeypatch.setattr(spectral, "_SMALL_BYTES", 0)
    X, Y = _flat_data(40, 300, 7, seed=5)
    for _ in _whole_and_chunked(X, Y):  # the helper asserts equal alphas and errors
        pass
