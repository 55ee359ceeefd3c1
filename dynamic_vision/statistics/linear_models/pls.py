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

from dynamic_vision.statistics.linear_models import dense
from dynamic_vision.statistics.linear_models.kernel import (
    TorchPrecision,
    as_tensor,
    thread_budget,
)

__all__ = ["PLSRegression"]


class PLSRegression(TorchPrecision):
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

    def fit(self, X: np.ndarray, Y: np.ndarray) -> PLSRegression:
        """Fit on samples × features ``X`` and samples × targets ``Y``."""
        with thread_budget(X, Y):
            return self._fit(X, Y)

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> PLSRegression:
        X_t = as_tensor(X, self._dtype, self._device)
        self._x_mean = X_t.mean(0)
        self._x_std = _std(X_t) if self.scale else torch.ones_like(self._x_mean)
        X_t = (X_t - self._x_mean) / self._x_std
        self.fit_kernel(dense.outer_gram(X_t), Y)
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
        T, A = _components(K, Y_c, self.n_components)
        tt = (T * T).sum(0)
        y_loadings = (Y_c.T @ T) / tt  # targets × components
        loadings_dot_weights = (T.T @ (K @ A)) / tt[:, None]
        self._dual_coef = A @ torch.linalg.solve(loadings_dot_weights, y_loadings.T)
        self.n_components_ = T.shape[1]
        self.x_scores_ = T.cpu().numpy()
        return self

    def cross_predict_kernel(self, K: torch.Tensor, Y: np.ndarray, splits
                             ) -> tuple[list[np.ndarray], list[PLSRegression]] | None:
        """Held-out predictions and fitted copies for every split at once, from the Gram
        matrix of all samples (see :mod:`~dynamic_vision.statistics.linear_models.pls_splits`);
        None where that path does not apply (``scale=True``, more targets than twice the
        training samples), and :func:`~dynamic_vision.statistics.linear_models.cross_predict`
        then fits split by split."""
        from dynamic_vision.statistics.linear_models.pls_splits import cross_predict_pls

        n_targets = 1 if np.ndim(Y) == 1 else np.shape(Y)[1]
        if self.scale or n_targets > 2 * min(len(train) for train, _ in splits):
            return None
        return cross_predict_pls(self, K.to(device=self._device, dtype=self._dtype), Y, splits)

    def predict_kernel(self, K_test: torch.Tensor) -> np.ndarray:
        """Predictions from the centred test × train kernel."""
        K_test = K_test.to(device=self._device, dtype=self._dtype)
        predicted = (K_test @ self._dual()) * self._y_std + self._y_mean
        predicted = predicted.cpu().numpy()
        return predicted[:, 0] if self._ndim_y == 1 else predicted


    def _dual(self) -> torch.Tensor:
        """Dual coefficients (training samples × targets); a model fitted by
        :meth:`cross_predict_kernel` holds them as two factors until first used."""
        if getattr(self, "_dual_coef", None) is None:
            directions, rotation = self._dual_factors
            self._dual_coef = directions @ rotation
        return self._dual_coef


def _std(values: torch.Tensor) -> torch.Tensor:
    std = values.std(0, correction=1)
    return torch.where(std == 0, torch.ones_like(std), std)


def _components(K: torch.Tensor, Y: torch.Tensor, n_components: int
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Scores ``T`` and sample-space directions ``A`` (``w = Xₖᵀa``) of up to ``n_components``.

    Nothing of size n × n is deflated: with ``U`` the orthonormal scores so far and
    ``P = I - UUᵀ``, the deflated kernel is ``PKP`` and the deflated targets ``W = PY``, so each
    component costs two products with ``K`` and a few with ``W``. The weights' eigenproblem
    ``C = WᵀKW`` (targets × targets) is kept up to date by rank-two corrections when it is
    small enough to hold, and solved by Lanczos iteration (:func:`leading_eigenpair`).
    """
    n, n_targets = Y.shape
    W = Y.clone()
    explicit = n_targets <= 2 * n
    C = _symmetric(dense.matmul(W.T, dense.matmul(K, W))) if explicit else None
    U = torch.empty((n, 0), dtype=K.dtype, device=K.device)
    scores, directions = [], []
    start, first = None, None
    for component in range(n_components):
        if explicit:
            v, strength = leading_eigenpair(lambda x: C @ x, n_targets, K.dtype, K.device,
                                            matrix=C, start=start)
        else:
            v, strength = leading_eigenpair(lambda x: W.T @ (K @ (W @ x)), n_targets, K.dtype,
                                            K.device, start=start)
        first = strength if first is None else first
        if not strength > first * torch.finfo(K.dtype).eps * 100:
            warnings.warn(f"PLS stopped after {component} of {n_components} components: the "
                          f"targets are fully explained.", RuntimeWarning, stacklevel=3)
            break
        a = (W @ v) / torch.sqrt(strength)  # x weights w = Xₖᵀa have unit norm
        Ka = K @ a
        score = Ka - U @ (U.T @ Ka)  # PKPa, as Pa = a
        norm = torch.linalg.vector_norm(score)
        u = score / norm
        u = u - U @ (U.T @ u)  # keep U orthonormal to working precision
        u = u / torch.linalg.vector_norm(u)
        b = W.T @ u
        if explicit:
            s = K @ u
            c = W.T @ s
            C = _symmetric(C - torch.outer(c, b) - torch.outer(b, c) + (u @ s) * torch.outer(b, b))
        W = W - torch.outer(u, b)
        U = torch.cat([U, u[:, None]], 1)
        scores.append(score)
        directions.append(a)
        start = v
    if not scores:
        raise ValueError("PLS found no component: the targets do not vary.")
    return torch.stack(scores, 1), torch.stack(directions, 1)


def _symmetric(matrix: torch.Tensor) -> torch.Tensor:
    return (matrix + matrix.T) / 2


#: Below this size the eigenproblem is solved directly.
_DIRECT_SIZE = 96


def leading_eigenpair(apply, size: int, dtype: torch.dtype, device: torch.device, *,
                      matrix: torch.Tensor | None = None, start: torch.Tensor | None = None,
                      tol: float = 1e-12, krylov_size: int = 64, restarts: int = 40,
                      check_every: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """The largest eigenvalue of a symmetric positive semi-definite operator and its unit
    eigenvector, by Lanczos iteration with full reorthogonalisation and restarts.

    Parameters
    ----------
    apply
        ``x ↦ M x`` for vectors of length ``size``.
    matrix
        ``M`` itself when it is held: small problems, and the rare Lanczos runs that do not
        converge, use a dense eigendecomposition instead.
    start
        A starting vector; a fixed one otherwise.
    tol
        Converged when ``‖Mv - θv‖ <= tol · θ`` (checked every ``check_every`` steps).
    """
    if size == 1:
        one = torch.ones(1, dtype=dtype, device=device)
        return one, apply(one)[0]
    if matrix is not None and size <= _DIRECT_SIZE:
        values, vectors = torch.linalg.eigh(matrix)
        return vectors[:, -1], values[-1]
    if start is None:
        generator = torch.Generator(device="cpu").manual_seed(0)
        start = torch.randn(size, generator=generator, dtype=dtype).to(device)
    q = start / torch.linalg.vector_norm(start)
    m = min(size, krylov_size)
    for _ in range(restarts):
        basis = torch.zeros((m + 1, size), dtype=dtype, device=device)
        basis[0] = q
        diagonal = torch.zeros(m, dtype=dtype, device=device)
        off = torch.zeros(m, dtype=dtype, device=device)
        for j in range(m):
            w = apply(basis[j])
            diagonal[j] = basis[j] @ w
            for _ in range(2):  # classical Gram-Schmidt, twice: full reorthogonalisation
                w = w - basis[: j + 1].T @ (basis[: j + 1] @ w)
            off[j] = torch.linalg.vector_norm(w)
            exhausted = bool(off[j] <= tol * diagonal[0].abs())  # an invariant subspace
            if not exhausted:
                basis[j + 1] = w / off[j]
            steps = j + 1
            if exhausted or steps == m or (steps >= 2 * check_every
                                           and steps % check_every == 0):
                tridiagonal = torch.diag(diagonal[:steps]) + torch.diag(off[:steps - 1], 1) \
                    + torch.diag(off[:steps - 1], -1)
                values, vectors = torch.linalg.eigh(tridiagonal)
                theta, weights = values[-1], vectors[:, -1]
                q = weights @ basis[:steps]
                q = q / torch.linalg.vector_norm(q)
                if exhausted or off[j] * weights[-1].abs() <= tol * theta.abs():
                    return q, theta
    if matrix is not None:
        values, vectors = torch.linalg.eigh(matrix)
        return vectors[:, -1], values[-1]
    return q, theta
