"""Ordinary least squares: the minimum-norm solution (scikit-learn's ``LinearRegression``).

With more features than samples the system is under-determined and the minimum-norm solution
interpolates the training data; it is computed in sample space from the Gram matrix's
pseudo-inverse, so one Gram matrix serves every fold. Otherwise the design matrix's
pseudo-inverse is used directly.
"""

from __future__ import annotations

import numpy as np
import torch

from dynamic_vision.statistics.linear_models.kernel import TorchPrecision, as_tensor, thread_budget

__all__ = ["LeastSquaresRegression"]


class LeastSquaresRegression(TorchPrecision):
    """Least-squares linear regression with an intercept.

    Parameters
    ----------
    fit_intercept
        Centre features and targets on the training mean.
    rcond
        Relative cut-off below which singular values count as zero (default: the
        dtype's machine epsilon × the largest dimension, as numpy's ``pinv``).
    dtype, device
        Torch precision and device.

    Attributes
    ----------
    coef_ : numpy.ndarray, shape (n_features, n_targets)
    """

    def __init__(self, fit_intercept: bool = True, rcond: float | None = None,
                 dtype: str = "float64", device: str | None = None):
        self.fit_intercept = fit_intercept
        self.rcond = rcond
        self.dtype = dtype
        self.device = device

    def _prepare_targets(self, Y: np.ndarray, n: int) -> torch.Tensor:
        Y_t = as_tensor(Y, self._dtype, self._device)
        if Y_t.shape[0] != n:
            raise ValueError(f"X has {n} samples but Y has {Y_t.shape[0]}.")
        self._ndim_y = np.ndim(Y)
        self._y_mean = Y_t.mean(0) if self.fit_intercept else torch.zeros_like(Y_t[0])
        return Y_t - self._y_mean

    def _cutoff(self, values: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
        rcond = self.rcond if self.rcond is not None else \
            torch.finfo(self._dtype).eps * max(shape)
        return values.max() * rcond

    def fit(self, X: np.ndarray, Y: np.ndarray) -> LeastSquaresRegression:
        """Fit on samples × features ``X`` and samples × targets ``Y``."""
        with thread_budget(X, Y):
            return self._fit(X, Y)

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> LeastSquaresRegression:
        X_t = as_tensor(X, self._dtype, self._device)
        self._x_mean = X_t.mean(0) if self.fit_intercept else torch.zeros_like(X_t[0])
        X_t = X_t - self._x_mean
        Y_c = self._prepare_targets(Y, X_t.shape[0])
        U, s, Vh = torch.linalg.svd(X_t, full_matrices=False)
        keep = s > self._cutoff(s, tuple(X_t.shape))
        self._coef = Vh[keep].T @ ((U[:, keep].T @ Y_c) / s[keep, None])
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions for samples × features ``X``."""
        X_t = as_tensor(X, self._dtype, self._device) - self._x_mean
        return self._finish(X_t @ self._coef)

    @property
    def coef_(self) -> np.ndarray:
        return self._coef.cpu().numpy()

    def fit_kernel(self, K: torch.Tensor, Y: np.ndarray) -> LeastSquaresRegression:
        """Fit from the (centred) training Gram matrix: dual coefficients ``K⁺ Y``."""
        K = K.to(device=self._device, dtype=self._dtype)
        Y_c = self._prepare_targets(Y, K.shape[0])
        values, vectors = torch.linalg.eigh((K + K.T) / 2)
        # Eigenvalues are squared singular values: a user's rcond applies squared, but never
        # below eigh's own precision (eps × size × the largest eigenvalue).
        floor = torch.finfo(self._dtype).eps * K.shape[0]
        relative = max(self.rcond ** 2, floor) if self.rcond is not None else floor
        keep = values > values.max() * relative
        inverse = torch.where(keep, 1.0 / torch.where(keep, values, torch.ones_like(values)),
                              torch.zeros_like(values))
        self._dual_coef = vectors @ (inverse[:, None] * (vectors.T @ Y_c))
        return self

    def predict_kernel(self, K_test: torch.Tensor) -> np.ndarray:
        """Predictions from the centred test × train kernel."""
        return self._finish(K_test.to(device=self._device, dtype=self._dtype) @ self._dual_coef)

    def _finish(self, predicted: torch.Tensor) -> np.ndarray:
        predicted = (predicted + self._y_mean).cpu().numpy()
        return predicted[:, 0] if self._ndim_y == 1 else predicted
