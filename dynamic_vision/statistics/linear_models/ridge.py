"""Ridge regression with a per-target regularisation chosen by efficient cross-validation.

One spectral decomposition per fit serves every alpha, every target and every inner fold
(:mod:`~dynamic_vision.statistics.linear_models.spectral`):

- more features than samples: eigendecomposition of the (centred) Gram matrix ``X Xᵀ``;
- otherwise: thin SVD of the centred design matrix.

Targets are projected onto the decomposition once. Then at most one matrix product per alpha
(fewer where a few shrinkage profiles serve all alphas) gives every target's exact
leave-one-out errors (scikit-learn ``RidgeCV``'s criterion), generalised cross-validation needs
no product at all, and K-fold errors (himalaya ``KernelRidgeCV``'s criterion) follow from the
same residuals by the deletion identity, without a decomposition per fold. Each target
keeps the alpha with the lowest mean squared error. Everything runs in torch, so the same code
runs on a GPU; work over targets is chunked to bound memory.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from dynamic_vision.statistics.linear_models import dense
from dynamic_vision.statistics.linear_models.kernel import (
    TorchPrecision,
    as_tensor,
    center_kernel,
    thread_budget,
)
from dynamic_vision.statistics.linear_models.spectral import kernel_spectrum, primal_spectrum

__all__ = ["RidgeCVRegression", "DEFAULT_ALPHAS", "CV_CRITERIA"]

#: Default grid: log-spaced from 1e-3 to 1e7 (11 values). Alphas are absolute, on the scale of
#: the Gram matrix eigenvalues (sum of squared features).
DEFAULT_ALPHAS = tuple(float(a) for a in np.logspace(-3, 7, 11))

#: Named alpha-selection criteria (an int or a list of splits asks for K-fold).
CV_CRITERIA = ("loo", "gcv")


class RidgeCVRegression(TorchPrecision):
    """Ridge regression with one alpha per target chosen by cross-validation.

    Parameters
    ----------
    alphas
        Candidate regularisation strengths.
    cv
        ``"loo"``: efficient leave-one-out (scikit-learn ``RidgeCV(alpha_per_target=True)``);
        ``"gcv"``: generalised cross-validation (leave-one-out with every leverage replaced by
        the mean leverage; fastest); an int ``k``: K-fold without shuffling (himalaya
        ``KernelRidgeCV(cv=k)``); or a list of (train, validation) index pairs within the
        training data.
    fit_intercept
        Centre features and targets on the training mean (unpenalised intercept).
    dtype
        ``"float32"`` (default) or ``"float64"``.
    device
        Torch device; the GPU when one is present by default.
    target_chunk_size
        Targets solved at once; by default as many as fit 256 MiB of intermediates.

    Attributes
    ----------
    alphas_ : numpy.ndarray, shape (n_targets,)
        The chosen alpha per target.
    cv_errors_ : numpy.ndarray, shape (n_alphas, n_targets)
        Mean squared validation error of each alpha.
    coef_ : numpy.ndarray, shape (n_features, n_targets)
        Primal weights (computed on access in kernel mode).
    intercept_ : numpy.ndarray, shape (n_targets,)
    """

    def __init__(self, alphas: Sequence[float] = DEFAULT_ALPHAS, cv: str | int | Sequence = "loo",
                 fit_intercept: bool = True, dtype: str = "float32",
                 device: str | None = None, target_chunk_size: int | None = None):
        self.alphas = alphas
        self.cv = cv
        self.fit_intercept = fit_intercept
        self.dtype = dtype
        self.device = device
        self.target_chunk_size = target_chunk_size

    # -- public estimator API -----------------------------------------------------------------
    def fit(self, X: np.ndarray, Y: np.ndarray) -> RidgeCVRegression:
        """Choose alphas and fit on samples × features ``X`` and samples × targets ``Y``."""
        with thread_budget(X, Y):
            return self._fit(X, Y)

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> RidgeCVRegression:
        X_t = as_tensor(X, self._dtype, self._device)
        self._ndim_y = np.ndim(Y)
        n, p = X_t.shape
        self._x_mean = X_t.mean(0) if self.fit_intercept else torch.zeros_like(X_t[0])
        X_t = X_t - self._x_mean
        if p > n:
            self.fit_kernel(self._center(dense.outer_gram(X_t)), Y)
            self._X_fit = X_t
        else:
            def spectrum(rows):
                Xr = X_t[rows]
                return primal_spectrum(Xr - Xr.mean(0) if self.fit_intercept else Xr,
                                       self.fit_intercept)

            def test_features(rows, val):
                shift = X_t[rows].mean(0) if self.fit_intercept else 0.0
                return X_t[val] - shift

            self._fit_spectral(spectrum, test_features, Y, n)
            self._X_fit = None
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions for samples × features ``X`` (samples × targets)."""
        X_t = as_tensor(X, self._dtype, self._device) - self._x_mean
        features = X_t @ self._X_fit.T if self._X_fit is not None else X_t
        return self._predict_features(features)

    def fit_kernel(self, K: torch.Tensor, Y: np.ndarray) -> RidgeCVRegression:
        """Fit from a training Gram matrix (already centred when ``fit_intercept``)."""
        K = K.to(device=self._device, dtype=self._dtype)
        self._ndim_y = np.ndim(Y)
        self._fit_spectral(lambda rows: kernel_spectrum(self._center(K[rows][:, rows]),
                                                        self.fit_intercept),
                           lambda rows, val: self._center(K[rows][:, rows], K[val][:, rows])[1],
                           Y, K.shape[0], whole=lambda: kernel_spectrum(K, self.fit_intercept))
        return self

    def predict_kernel(self, K_test: torch.Tensor) -> np.ndarray:
        """Predictions from a test × train kernel (centred like the training kernel)."""
        return self._predict_features(K_test.to(device=self._device, dtype=self._dtype))

    @property
    def coef_(self) -> np.ndarray:
        weights = self._weights if self._X_fit is None else self._X_fit.T @ self._weights
        return weights.cpu().numpy()

    @property
    def intercept_(self) -> np.ndarray:
        coef = torch.as_tensor(self.coef_, device=self._device, dtype=self._dtype)
        return (self._y_mean - self._x_mean @ coef).cpu().numpy()

    # -- internals ----------------------------------------------------------------------------
    def _center(self, K_train, K_test=None):
        if not self.fit_intercept:
            return K_train if K_test is None else (K_train, K_test)
        centered, test = center_kernel(K_train, K_test)
        return centered if K_test is None else (centered, test)

    def _alpha_tensor(self) -> torch.Tensor:
        alphas = torch.as_tensor(np.asarray(self.alphas, dtype=np.float64).ravel(),
                                 dtype=self._dtype, device=self._device)
        if alphas.numel() == 0 or bool((alphas <= 0).any()):
            raise ValueError(f"alphas must be positive and non-empty, got {self.alphas!r}.")
        return alphas

    def _inner_splits(self, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
        if isinstance(self.cv, (int, np.integer)):
            from sklearn.model_selection import KFold

            if not 2 <= self.cv <= n:
                raise ValueError(f"cv={self.cv} folds need 2 <= cv <= n_samples ({n}).")
            return list(KFold(int(self.cv)).split(np.zeros(n)))
        return [(np.asarray(train), np.asarray(val)) for train, val in self.cv]

    def _fit_spectral(self, spectrum_of, test_features_of, Y: np.ndarray, n: int,
                      whole=None) -> None:
        Y_t = as_tensor(Y, self._dtype, self._device)
        if Y_t.shape[0] != n:
            raise ValueError(f"X has {n} samples but Y has {Y_t.shape[0]}.")
        self._y_mean = Y_t.mean(0) if self.fit_intercept else torch.zeros_like(Y_t[0])
        alphas = self._alpha_tensor()
        full = whole() if whole is not None else spectrum_of(np.arange(n))
        Yc = Y_t - self._y_mean
        z = full.project(Yc)
        if isinstance(self.cv, str):
            if self.cv not in CV_CRITERIA:
                raise ValueError(f"Unknown cv {self.cv!r}; use 'loo', 'gcv', an int or a list "
                                 f"of splits.")
            if n < 3:
                raise ValueError(f"Cross-validation by {self.cv!r} needs at least 3 samples, "
                                 f"got {n}.")
            errors = (full.loo_errors(z, Yc, alphas, self.target_chunk_size)
                      if self.cv == "loo" else full.gcv_errors(z, Yc, alphas))
        else:
            splits = self._inner_splits(n)
            if full.mode == "kernel" and _complementary(splits, n):
                errors = full.block_errors(z, Yc, alphas, [val for _, val in splits],
                                           self.target_chunk_size)
            else:
                errors = self._kfold(splits, spectrum_of, test_features_of, Y_t, alphas)
        # First best alpha in grid order on ties; NaN marks alphas ruled out by bounds.
        best = torch.argmin(torch.nan_to_num(errors, nan=torch.inf), dim=0)
        self.cv_errors_ = errors.cpu().numpy()
        chosen = alphas[best]
        self.alphas_ = chosen.cpu().numpy()
        # Coefficients stay factored as (right, scaled): predicting m samples then costs
        # m·n·(n + t) instead of n²·t for forming the n × t coefficients first.
        self._right = full.basis if full.mode == "kernel" else full.right
        self._scaled = full.solution_weights(chosen).T * z  # components × targets
        self._dense_weights = None

    def _kfold(self, splits, spectrum_of, test_features_of, Y_t, alphas) -> torch.Tensor:
        """K-fold errors with one decomposition per fold (splits that are not a partition,
        or the primal mode, where those decompositions are cheap)."""
        total = torch.zeros((len(alphas), Y_t.shape[1]), dtype=torch.float64, device=Y_t.device)
        for train, val in splits:
            spectrum = spectrum_of(train)
            features = test_features_of(train, val) @ (
                spectrum.basis if spectrum.mode == "kernel" else spectrum.right)
            weights = spectrum.solution_weights(alphas)
            Y_train, Y_val = Y_t[train], Y_t[val]
            mean = Y_train.mean(0) if self.fit_intercept else torch.zeros_like(Y_train[0])
            z = spectrum.project(Y_train - mean)
            for index in range(len(alphas)):
                residual = features @ (weights[index][:, None] * z) + mean - Y_val
                total[index] += (residual * residual).mean(0).to(torch.float64)
        return total / len(splits)

    @property
    def _weights(self) -> torch.Tensor:
        """Dual (kernel mode) or primal coefficients, n_or_p × targets."""
        if self._dense_weights is None:
            self._dense_weights = dense.matmul(self._right, self._scaled)
        return self._dense_weights

    def _predict_features(self, features: torch.Tensor) -> np.ndarray:
        m, (n, r), t = features.shape[0], self._right.shape, self._scaled.shape[1]
        if self._dense_weights is None and m * r * (n + t) < n * t * (r + m):
            predicted = dense.matmul(dense.matmul(features, self._right), self._scaled)
        else:
            predicted = dense.matmul(features, self._weights)
        predicted = (predicted + self._y_mean).cpu().numpy()
        return predicted[:, 0] if self._ndim_y == 1 else predicted


def _complementary(splits: list[tuple[np.ndarray, np.ndarray]], n: int) -> bool:
    """Whether every split trains on exactly the samples it does not validate on."""
    for train, val in splits:
        if len(train) + len(val) != n or len(val) == 0:
            return False
        seen = np.zeros(n, dtype=bool)
        seen[np.asarray(train)] = True
        seen[np.asarray(val)] = True
        if not seen.all():
            return False
    return True
