"""Partial least squares regression (PLS2, scikit-learn's ``PLSRegression``), in kernel form.

scikit-learn finds each component's weights by NIPALS power iteration on the deflated
cross-covariance ``XₖᵀYₖ``. The limit of that iteration is the leading eigenvector of
``YₖᵀXₖXₖᵀYₖ``, which only needs the Gram matrix ``K = XXᵀ``: every step (weights, scores,
deflation, rotations) is rewritten in sample space (Dayal & MacGregor, 1997), so the cost no
longer grows with the number of features after ``K`` is formed, and one ``K`` serves every
cross-validation fold. With ``scale=False`` (Brain-Score's setting) the predictions equal
scikit-learn's ``PLSRegression(scale=False)`` at convergence.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from dynamic_vision.statistics.linear_models.kernel import as_tensor, resolve_device, resolve_dtype, \
    thread_budget

__all__ = ["PLSRegression"]


class PLSRegression:
    """PLS regression with ``n_components`` latent components.

    Parameters
    ----------
    n_components
        Number of components (Brain-Score: 25). Fewer are used, with a warning, when the
        targets are fully explained earlier.
    scale
        Standardise features and targets to unit variance first (scikit-learn's default is
        ``True``; Brain-Score uses ``False``).
    dtype, device
        Torch precision and device (float64 by default: deflation accumulates rounding).

    Attributes
    ----------
    n_components_ : int
        Components actually extracted.
    x_scores_ : numpy.ndarray, shape (n_samples, n_components_)
    """

    fit_intercept = True

    def __init__(self, n_components: int = 25, scale: bool = False, dtype: str = "float64",
                 device: str | None = None):
        self.n_components = n_components
        self.scale = scale
        self.dtype = dtype
        self.device = device

    @property
    def _dtype(self) -> torch.dtype:
        return resolve_dtype(self.dtype)

    @property
    def _device(self) -> torch.device:
        return resolve_device(self.device)

    def fit(self, X: np.ndarray, Y: np.ndarray) -> PLSRegression:
        """Fit on samples × features ``X`` and samples × targets ``Y``."""
        with thread_budget(X, Y):
            return self._fit(X, Y)

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> PLSRegression:
        X_t = as_tensor(X, self._dtype, self._device)
        self._x_mean = X_t.mean(0)
        self._x_std = _std(X_t) if self.scale else torch.ones_like(self._x_mean)
        X_t = (X_t - self._x_mean) / self._x_std
        self.fit_kernel(X_t @ X_t.T, Y)
        self._X_fit = X_t
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions for samples × features ``X``."""
        X_t = (as_tensor(X, self._dtype, self._device) - self._x_mean) / self._x_std
        return self.predict_kernel(X_t @ self._X_fit.T)

    def fit_kernel(self, K: torch.Tensor, Y: np.ndarray) -> PLSRegression:
        """Fit from the centred training Gram matrix (features already centred/scaled)."""
        if self.scale and not hasattr(self, "_x_std"):
            raise ValueError("PLSRegression(scale=True) needs the features themselves; call "
                             "fit(X, Y) rather than fit_kernel.")
        K = K.to(device=self._device, dtype=self._dtype)
        Y_t = as_tensor(Y, self._dtype, self._device)
        self._ndim_y = np.ndim(Y)
        n = K.shape[0]
        if Y_t.shape[0] != n:
            raise ValueError(f"X has {n} samples but Y has {Y_t.shape[0]}.")
        self._y_mean = Y_t.mean(0)
        self._y_std = _std(Y_t) if self.scale else torch.ones_like(self._y_mean)
        Y_c = (Y_t - self._y_mean) / self._y_std
        K_k, Y_k = K.clone(), Y_c.clone()
        scores, directions = [], []
        first = None
        for component in range(self.n_components):
            a, strength = _leading_direction(K_k, Y_k)
            first = strength if first is None else first
            if strength <= first * torch.finfo(self._dtype).eps * 100:
                warnings.warn(f"PLS stopped after {component} of {self.n_components} components: "
                              f"the targets are fully explained.", RuntimeWarning, stacklevel=2)
                break
            a = a / torch.sqrt(strength)
            t = K_k @ a
            tt = t @ t
            Y_k = Y_k - torch.outer(t, (t @ Y_k) / tt)
            projected = K_k - torch.outer(t, (t @ K_k) / tt)
            K_k = projected - torch.outer(projected @ t / tt, t)
            scores.append(t)
            directions.append(a)
        if not scores:
            raise ValueError("PLS found no component: the targets do not vary.")
        T = torch.stack(scores, 1)
        A = torch.stack(directions, 1)
        tt = (T * T).sum(0)
        y_loadings = (Y_c.T @ T) / tt  # targets × components
        loadings_dot_weights = (T.T @ K @ A) / tt[:, None]
        self._dual_coef = A @ torch.linalg.solve(loadings_dot_weights, y_loadings.T)
        self.n_components_ = T.shape[1]
        self.x_scores_ = T.cpu().numpy()
        return self

    def predict_kernel(self, K_test: torch.Tensor) -> np.ndarray:
        """Predictions from the centred test × train kernel."""
        K_test = K_test.to(device=self._device, dtype=self._dtype)
        predicted = (K_test @ self._dual_coef) * self._y_std + self._y_mean
        predicted = predicted.cpu().numpy()
        return predicted[:, 0] if self._ndim_y == 1 else predicted


def _std(values: torch.Tensor) -> torch.Tensor:
    std = values.std(0, correction=1)
    return torch.where(std == 0, torch.ones_like(std), std)


def _leading_direction(K: torch.Tensor, Y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``Y v`` for the leading eigenvector ``v`` of ``Yᵀ K Y``, and its eigenvalue."""
    n_targets = Y.shape[1]
    if n_targets == 1:
        return Y[:, 0], (Y[:, 0] @ (K @ Y[:, 0]))
    if n_targets <= 2 * K.shape[0]:
        M = Y.T @ (K @ Y)
        values, vectors = torch.linalg.eigh((M + M.T) / 2)
        v = vectors[:, -1]
        return Y @ v, values[-1]
    # Many more targets than samples: power iteration in sample space on K Y Yᵀ, whose leading
    # eigenvalue is that of Yᵀ K Y; v = Yᵀu recovers the target-space eigenvector.
    G = Y @ Y.T
    u = torch.ones(K.shape[0], dtype=Y.dtype, device=Y.device)
    value = torch.zeros((), dtype=Y.dtype, device=Y.device)
    for _ in range(1000):
        w = K @ (G @ u)
        new_value = torch.linalg.vector_norm(w)
        u = w / new_value
        if torch.abs(new_value - value) <= 1e-13 * new_value:
            break
        value = new_value
    v = Y.T @ u
    v = v / torch.linalg.vector_norm(v)
    direction = Y @ v
    return direction, direction @ (K @ direction)
