"""Ridge regression with a per-target regularisation chosen by efficient cross-validation.

One spectral decomposition per fit serves every alpha and every target:

- more features than samples: eigendecomposition of the (centred) Gram matrix ``X Xᵀ``;
- otherwise: thin SVD of the centred design matrix.

Targets are projected onto the decomposition once; the leave-one-out error of every alpha then
follows in closed form (the hat-matrix identity ``e_i = (y_i - ŷ_i) / (1 - H_ii)``, as
scikit-learn's ``RidgeCV`` with ``cv=None``), or K-fold errors from one decomposition per inner
fold (as himalaya's ``KernelRidgeCV``). Each target keeps the alpha with the lowest mean squared
error. Everything runs in torch, so the same code runs on a GPU; work over targets is chunked to
bound memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dynamic_vision.statistics.linear_models.kernel import (
    as_tensor,
    thread_budget,
    center_kernel,
    resolve_device,
    resolve_dtype,
)

__all__ = ["RidgeCVRegression", "DEFAULT_ALPHAS"]

#: Default grid: log-spaced from 1e-3 to 1e7 (11 values). Alphas are absolute, on the scale of
#: the Gram matrix eigenvalues (sum of squared features).
DEFAULT_ALPHAS = tuple(float(a) for a in np.logspace(-3, 7, 11))

# Bytes of the (alphas × samples × targets) intermediate allowed per chunk of targets.
_CHUNK_BYTES = 256 * 2**20


@dataclass
class _Spectrum:
    """One decomposition of a training set, enough to solve ridge for any alpha.

    ``kernel`` mode: ``basis`` = eigenvectors Q of the Gram matrix (complete, n × n),
    ``values`` = eigenvalues; ``intercept_dim`` marks the constant eigenvector, which is left
    unpenalised. ``primal`` mode: ``basis`` = left singular vectors U (n × r), ``values`` =
    squared singular values, ``right`` = V / s (p × r).
    """

    mode: str
    basis: torch.Tensor
    values: torch.Tensor
    intercept_dim: int | None
    right: torch.Tensor | None
    fit_intercept: bool

    def shrinkage(self, alphas: torch.Tensor) -> torch.Tensor:
        """``alpha / (value + alpha)`` for every alpha (rows) and component (columns)."""
        g = alphas[:, None] / (self.values[None, :] + alphas[:, None])
        if self.intercept_dim is not None:
            g[:, self.intercept_dim] = 0.0
        return g

    def solution_weights(self, alphas: torch.Tensor) -> torch.Tensor:
        """Per-component weights that map projected targets to dual (kernel) or primal
        coefficients: ``1 / (λ + α)`` or ``s² / (s² + α)`` (with ``right = V / s``)."""
        if self.mode == "kernel":
            w = 1.0 / (self.values[None, :] + alphas[:, None])
        else:
            w = self.values[None, :] / (self.values[None, :] + alphas[:, None])
        if self.intercept_dim is not None:
            w[:, self.intercept_dim] = 0.0
        return w

    def loo_errors(self, Y: torch.Tensor, alphas: torch.Tensor) -> torch.Tensor:
        """Leave-one-out squared errors averaged over samples: (alphas × targets)."""
        n = Y.shape[0]
        z = self.basis.T @ Y
        g = self.shrinkage(alphas)
        squared_basis = self.basis * self.basis
        if self.mode == "kernel":
            # Q is complete, so y - ŷ = Q (g ⊙ Qᵀy) and 1 - H_ii = Σ_k Q_ik² g_k: no cancellation.
            residual = _apply_per_alpha(self.basis, g, z)
            leverage_complement = (squared_basis @ g.T).T
        else:
            f = 1.0 - g
            residual = Y[None] - _apply_per_alpha(self.basis, f, z)
            leverage_complement = 1.0 - (squared_basis @ f.T).T
            if self.fit_intercept:
                leverage_complement = leverage_complement - 1.0 / n
        errors = residual / leverage_complement[:, :, None]
        return (errors * errors).mean(1)


def _apply_per_alpha(left: torch.Tensor, weights: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """``left @ (weights[a] ⊙ z)`` for every alpha ``a``, as one GEMM: (alphas × rows × targets).

    One wide matrix product (rows × components) @ (components × alphas·targets) runs far closer
    to peak than a loop or a broadcast batch of narrow ones.
    """
    n_alphas, n_components = weights.shape
    scaled = (weights.T[:, :, None] * z[:, None, :]).reshape(n_components, -1)
    out = left @ scaled
    return out.reshape(left.shape[0], n_alphas, z.shape[1]).permute(1, 0, 2)


def _kernel_spectrum(K: torch.Tensor, fit_intercept: bool) -> _Spectrum:
    n = K.shape[0]
    if fit_intercept:
        # The constant vector spans the centred kernel's null space; lifting it to eigenvalue n
        # (scikit-learn's device) makes it a single, identifiable eigenvector.
        K = K + 1.0
    values, vectors = torch.linalg.eigh(K)
    values = values.clamp_min(0)
    intercept_dim = None
    if fit_intercept:
        ones = torch.full((n,), n ** -0.5, dtype=K.dtype, device=K.device)
        intercept_dim = int(torch.argmax((vectors.T @ ones).abs()))
    return _Spectrum("kernel", vectors, values, intercept_dim, None, fit_intercept)


def _primal_spectrum(X: torch.Tensor, fit_intercept: bool) -> _Spectrum:
    U, s, Vh = torch.linalg.svd(X, full_matrices=False)
    keep = s > s.max() * max(X.shape) * torch.finfo(X.dtype).eps if s.numel() else s > 0
    U, s, Vh = U[:, keep], s[keep], Vh[keep]
    return _Spectrum("primal", U, s * s, None, Vh.T / s[None, :], fit_intercept)


class RidgeCVRegression:
    """Ridge regression with one alpha per target chosen by cross-validation.

    Parameters
    ----------
    alphas
        Candidate regularisation strengths.
    cv
        ``"loo"``: efficient leave-one-out (scikit-learn ``RidgeCV(alpha_per_target=True)``);
        an int ``k``: K-fold without shuffling (himalaya ``KernelRidgeCV(cv=k)``); or a list of
        (train, validation) index pairs within the training data.
    fit_intercept
        Centre features and targets on the training mean (unpenalised intercept).
    dtype
        ``"float32"`` (default) or ``"float64"``.
    device
        Torch device; the GPU when one is present by default.
    target_chunk_size
        Targets solved at once; by default as many as fit a 256 MiB intermediate.

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
            self.fit_kernel(self._center(X_t @ X_t.T), Y)
            self._X_fit = X_t
        else:
            def spectrum(rows):
                Xr = X_t[rows]
                return _primal_spectrum(Xr - Xr.mean(0) if self.fit_intercept else Xr,
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
        self._fit_spectral(lambda rows: _kernel_spectrum(self._center(K[rows][:, rows]),
                                                         self.fit_intercept),
                           lambda rows, val: self._center(K[rows][:, rows], K[val][:, rows])[1],
                           Y, K.shape[0])
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
    @property
    def _dtype(self) -> torch.dtype:
        return resolve_dtype(self.dtype)

    @property
    def _device(self) -> torch.device:
        return resolve_device(self.device)

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

    def _chunks(self, n_samples: int, n_targets: int, n_alphas: int) -> list[slice]:
        size = self.target_chunk_size or max(
            1, _CHUNK_BYTES // (max(n_alphas, 1) * n_samples * torch.finfo(self._dtype).bits // 8))
        return [slice(start, min(start + size, n_targets)) for start in range(0, n_targets, size)]

    def _inner_splits(self, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
        if isinstance(self.cv, (int, np.integer)):
            from sklearn.model_selection import KFold

            if not 2 <= self.cv <= n:
                raise ValueError(f"cv={self.cv} folds need 2 <= cv <= n_samples ({n}).")
            return list(KFold(int(self.cv)).split(np.zeros(n)))
        return [(np.asarray(train), np.asarray(val)) for train, val in self.cv]

    def _fit_spectral(self, spectrum_of, test_features_of, Y: np.ndarray, n: int) -> None:
        Y_t = as_tensor(Y, self._dtype, self._device)
        if Y_t.shape[0] != n:
            raise ValueError(f"X has {n} samples but Y has {Y_t.shape[0]}.")
        self._y_mean = Y_t.mean(0) if self.fit_intercept else torch.zeros_like(Y_t[0])
        alphas = self._alpha_tensor()
        everything = np.arange(n)
        full = spectrum_of(everything)
        if isinstance(self.cv, str):
            if self.cv != "loo":
                raise ValueError(f"Unknown cv {self.cv!r}; use 'loo', an int or a list of splits.")
            if n < 3:
                raise ValueError(f"Leave-one-out needs at least 3 samples, got {n}.")
            errors = self._loo(full, Y_t - self._y_mean, alphas)
        else:
            errors = self._kfold(spectrum_of, test_features_of, Y_t, alphas, n)
        best = torch.argmin(errors, dim=0)  # first best alpha in grid order on ties
        self.cv_errors_ = errors.cpu().numpy()
        chosen = alphas[best]
        self.alphas_ = chosen.cpu().numpy()
        self._spectrum = full
        self._weights = self._solve(full, Y_t - self._y_mean, chosen)

    def _loo(self, spectrum: _Spectrum, Yc: torch.Tensor, alphas: torch.Tensor) -> torch.Tensor:
        out = torch.empty((len(alphas), Yc.shape[1]), dtype=Yc.dtype, device=Yc.device)
        for chunk in self._chunks(Yc.shape[0], Yc.shape[1], len(alphas)):
            out[:, chunk] = spectrum.loo_errors(Yc[:, chunk], alphas)
        return out

    def _kfold(self, spectrum_of, test_features_of, Y_t, alphas, n) -> torch.Tensor:
        splits = self._inner_splits(n)
        total = torch.zeros((len(alphas), Y_t.shape[1]), dtype=torch.float64, device=Y_t.device)
        for train, val in splits:
            spectrum = spectrum_of(train)
            features = test_features_of(train, val) @ (
                spectrum.basis if spectrum.mode == "kernel" else spectrum.right)
            weights = spectrum.solution_weights(alphas)
            Y_train, Y_val = Y_t[train], Y_t[val]
            mean = Y_train.mean(0) if self.fit_intercept else torch.zeros_like(Y_train[0])
            for chunk in self._chunks(len(val), Y_t.shape[1], len(alphas)):
                z = spectrum.basis.T @ (Y_train[:, chunk] - mean[chunk])
                predicted = _apply_per_alpha(features, weights, z) + mean[chunk]
                residual = predicted - Y_val[:, chunk]
                total[:, chunk] += (residual * residual).mean(1).to(torch.float64)
        return (total / len(splits)).to(Y_t.dtype)

    def _solve(self, spectrum: _Spectrum, Yc: torch.Tensor, chosen: torch.Tensor) -> torch.Tensor:
        z = spectrum.basis.T @ Yc
        weights = spectrum.solution_weights(chosen).T  # components × targets
        right = spectrum.basis if spectrum.mode == "kernel" else spectrum.right
        return right @ (weights * z)

    def _predict_features(self, features: torch.Tensor) -> np.ndarray:
        predicted = (features @ self._weights + self._y_mean).cpu().numpy()
        return predicted[:, 0] if self._ndim_y == 1 else predicted
