"""One spectral decomposition of a training set, and every ridge criterion computed from it.

A :class:`Spectrum` holds either the complete eigendecomposition ``Q Λ Qᵀ`` of a training Gram
matrix (``kernel`` mode, more features than samples) or the thin SVD ``U S Vᵀ`` of the centred
design (``primal`` mode). From it, for every alpha and every target at once:

- :meth:`Spectrum.loo_errors`: exact leave-one-out errors (the hat-matrix identity
  ``e_i = r_i / (1 - H_ii)``; scikit-learn ``RidgeCV``'s criterion);
- :meth:`Spectrum.gcv_errors`: generalised cross-validation (``1 - H_ii`` replaced by its mean),
  ``O(n t)`` per alpha;
- :meth:`Spectrum.block_errors`: exact K-fold errors when each fold trains on every other sample
  — the deletion identity ``e_V = (I - H_VV)⁻¹ r_V`` — so the folds need no decomposition of
  their own (himalaya ``KernelRidgeCV``'s criterion, with the intercept refitted per fold).

With an intercept, ``H`` includes the unpenalised constant: in kernel mode the Gram matrix is
lifted by ``11ᵀ`` so that the constant vector is one eigenvector, whose shrinkage is zero.
All criteria use the shrinkage ``g = α / (λ + α)`` directly (never ``1 - h``), so small
residuals of weakly regularised fits keep their relative precision in float32.

Two devices keep the exact criteria cheap and their choice of alpha that of float64:

- *bounds*: in kernel mode ``‖r‖² = Σ g² (Qᵀy)²`` costs nothing, and the leave-one-out error
  lies between ``‖r‖² / (n max d²)`` and ``‖r‖² / (n min d²)`` (``d = 1 - H_ii``); an alpha whose
  lower bound exceeds another alpha's upper bound cannot be chosen, and its error is not
  computed (``NaN`` in the result);
- *near ties*: below float64, alphas whose errors lie within a relative
  :data:`TIE_TOLERANCE` of a target's best are computed again in float64 for that target, so
  that rounding does not decide between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from dynamic_vision.statistics.linear_models import dense

__all__ = ["Spectrum", "kernel_spectrum", "primal_spectrum", "TIE_TOLERANCE"]

# Bytes of per-alpha intermediates (samples × targets) allowed at once.
CHUNK_BYTES = 256 * 2**20
#: Errors within this relative distance of a target's best are settled in float64.
TIE_TOLERANCE = 2e-5
# Slack on the leave-one-out bounds, far above their rounding error.
_BOUND_SLACK = 1e-3
# Rows converted to float64 at once when settling near ties.
_ROW_BLOCK = 1024
# Below this many bytes of (samples × alphas × targets), all alphas go through one product.
_SMALL_BYTES = 8 * 2**20


@dataclass
class Spectrum:
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

    @property
    def n_samples(self) -> int:
        return self.basis.shape[0]

    def shrinkage(self, alphas: torch.Tensor) -> torch.Tensor:
        """``g = alpha / (value + alpha)`` for every alpha (rows) and component (columns),
        in the alphas' dtype."""
        values = self.values.to(alphas.dtype)
        g = alphas[:, None] / (values[None, :] + alphas[:, None])
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

    def project(self, Yc: torch.Tensor) -> torch.Tensor:
        """The centred targets in the decomposition's basis, ``basis.T @ Yc``."""
        return dense.matmul(self.basis.T, Yc)

    def _chunks(self, columns: torch.Tensor, rows: int, chunk_size: int | None
                ) -> list[torch.Tensor]:
        size = chunk_size or max(1, CHUNK_BYTES // (max(rows, 1) * self.basis.element_size()))
        return [columns[start:start + size] for start in range(0, len(columns), size)]

    def _complement(self, g: torch.Tensor, basis: torch.Tensor | None = None) -> torch.Tensor:
        """``1 - H_ii`` of one alpha for the rows of ``basis`` (default: all samples)."""
        basis = self.basis.to(g.dtype) if basis is None else basis
        squared = basis * basis
        if self.mode == "kernel":
            return squared @ g
        complement = 1.0 - squared @ (1.0 - g)
        return complement - 1.0 / self.n_samples if self.fit_intercept else complement

    # -- leave-one-out ------------------------------------------------------------------------
    def loo_errors(self, z: torch.Tensor, Yc: torch.Tensor, alphas: torch.Tensor,
                   chunk_size: int | None = None) -> torch.Tensor:
        """Leave-one-out squared errors averaged over samples: float64 (alphas × targets).

        Small problems take every alpha in one matrix product. Otherwise one
        product per alpha and target chunk, for the pairs the bounds leave: the rows of the
        basis are divided by the leverage complement first, so the scaled residuals come out
        of the product; the pairs ruled out are NaN.
        """
        n, n_targets = Yc.shape
        n_alphas = alphas.shape[0]
        shrinkage = self.shrinkage(alphas)
        if n * n_alphas * n_targets * Yc.element_size() <= _SMALL_BYTES:
            errors = self._loo_all(shrinkage, z, Yc, self.basis).to(torch.float64)
        else:
            candidates = self._loo_candidates(z, shrinkage)
            errors = torch.full((n_alphas, n_targets), float("nan"), dtype=torch.float64,
                                device=Yc.device)
            for index in range(n_alphas):
                columns = torch.nonzero(candidates[index]).flatten()
                if columns.shape[0]:
                    errors[index, columns] = self._loo_columns(
                        shrinkage[index], z, Yc, columns, chunk_size).to(torch.float64)
        if Yc.dtype != torch.float64:
            _settle_ties(errors, lambda columns, tied: self._loo_float64(
                alphas, Yc, columns, None if errors.numel() * n * 8 <= _SMALL_BYTES else tied))
        return errors

    def _loo_all(self, shrinkage: torch.Tensor, z: torch.Tensor, Yc: torch.Tensor,
                 basis: torch.Tensor) -> torch.Tensor:
        """Every alpha's errors (alphas × targets) for the rows of ``basis`` (summed over
        those rows, divided by all samples), in one product."""
        n_alphas, n_targets = shrinkage.shape[0], z.shape[1]
        squared = basis * basis
        if self.mode == "kernel":
            complement = squared @ shrinkage.T  # rows × alphas
            weights = shrinkage
        else:
            complement = 1.0 - squared @ (1.0 - shrinkage).T
            if self.fit_intercept:
                complement = complement - 1.0 / self.n_samples
            weights = 1.0 - shrinkage
        stacked = (weights.T[:, :, None] * z[:, None, :]).reshape(z.shape[0], -1)
        product = dense.matmul(basis, stacked).reshape(basis.shape[0], n_alphas, n_targets)
        residual = product if self.mode == "kernel" else Yc[:, None, :] - product
        errors = residual / complement[:, :, None]
        return (errors * errors).sum(0) / self.n_samples

    def _loo_candidates(self, z: torch.Tensor, shrinkage: torch.Tensor) -> torch.Tensor:
        """Which (alpha, target) pairs may hold a target's smallest error."""
        if self.mode != "kernel":  # primal residual norms cancel: no safe bound, no pruning
            return torch.ones((shrinkage.shape[0], z.shape[1]), dtype=torch.bool,
                              device=z.device)
        g = shrinkage.to(torch.float64)
        norms = (g * g) @ (z.to(torch.float64) ** 2) / self.n_samples  # ‖r‖² / n
        complement = (self.basis * self.basis).to(torch.float64) @ g.T  # samples × alphas
        low = norms / complement.max(0).values[:, None] ** 2 * (1 - _BOUND_SLACK)
        high = norms / complement.min(0).values[:, None] ** 2 * (1 + _BOUND_SLACK)
        return low <= high.min(0).values[None, :]

    def _loo_columns(self, g: torch.Tensor, z: torch.Tensor, Yc: torch.Tensor,
                     columns: torch.Tensor, chunk_size: int | None) -> torch.Tensor:
        complement = self._complement(g)
        out = torch.empty(columns.shape[0], dtype=Yc.dtype, device=Yc.device)
        done = 0
        scaled_basis = self.basis / complement[:, None] if self.mode == "kernel" else None
        for chunk in self._chunks(columns, self.n_samples, chunk_size):
            if self.mode == "kernel":
                errors = dense.matmul(scaled_basis, g[:, None] * z[:, chunk])
            else:
                fitted = dense.matmul(self.basis, (1.0 - g)[:, None] * z[:, chunk])
                errors = (Yc[:, chunk] - fitted) / complement[:, None]
            out[done:done + chunk.shape[0]] = _mean_square(errors)
            done += chunk.shape[0]
        return out

    def _loo_float64(self, alphas: torch.Tensor, Yc: torch.Tensor, columns: torch.Tensor,
                     wanted: torch.Tensor | None = None) -> torch.Tensor:
        """Leave-one-out errors (alphas × ``columns``) in float64 throughout (the
        decomposition itself stays as it was computed), a block of rows at a time; only the
        ``wanted`` (alphas × columns) entries when given (the others are NaN)."""
        shrinkage = self.shrinkage(alphas.to(torch.float64))
        Y = Yc[:, columns].to(torch.float64)
        blocks = [slice(start, start + _ROW_BLOCK) for start in range(0, self.n_samples,
                                                                         _ROW_BLOCK)]
        z = sum(dense.matmul(self.basis[rows].to(torch.float64).T, Y[rows]) for rows in blocks)
        if wanted is None:
            return sum(self._loo_all(shrinkage, z, Y[rows], self.basis[rows].to(torch.float64))
                       for rows in blocks)
        out = torch.full(wanted.shape, float("nan"), dtype=torch.float64, device=Yc.device)
        for index in range(shrinkage.shape[0]):
            picked = torch.nonzero(wanted[index]).flatten()
            if picked.shape[0]:
                out[index, picked] = sum(
                    self._loo_all(shrinkage[index:index + 1], z[:, picked], Y[rows][:, picked],
                                  self.basis[rows].to(torch.float64))[0] for rows in blocks)
        return out

    # -- generalised cross-validation ---------------------------------------------------------
    def gcv_errors(self, z: torch.Tensor, Yc: torch.Tensor, alphas: torch.Tensor
                   ) -> torch.Tensor:
        """Generalised cross-validation errors: float64 (alphas × targets).

        ``‖y - ŷ‖² / n / (1 - tr(H) / n)²``; both terms come from the projected targets, so
        each alpha costs O(n t) after the decomposition.
        """
        n = Yc.shape[0]
        g = self.shrinkage(alphas.to(torch.float64))
        z2 = z.to(torch.float64) ** 2
        if self.mode == "kernel":
            residual = (g * g) @ z2
            trace = (1.0 - g).sum(1)  # the intercept's eigenvector counts 1 (g = 0)
        else:
            total = (Yc.to(torch.float64) ** 2).sum(0)
            f = 1.0 - g
            residual = total[None, :] - (2.0 * f - f * f) @ z2
            trace = f.sum(1) + (1.0 if self.fit_intercept else 0.0)
        return residual / n / ((1.0 - trace / n) ** 2)[:, None]

    # -- K-fold by deletion -------------------------------------------------------------------
    def block_errors(self, z: torch.Tensor, Yc: torch.Tensor, alphas: torch.Tensor,
                     folds: list[np.ndarray], chunk_size: int | None = None) -> torch.Tensor:
        """K-fold errors where each fold trains on every other sample: float64
        (alphas × targets).

        Per fold ``V`` and alpha, the held-out residuals are ``(I - H_VV)⁻¹ r_V`` with
        ``I - H_VV = Q_V diag(g) Q_Vᵀ`` and ``r_V = Q_V (g ⊙ Qᵀy)`` (kernel mode). Each fold's
        mean squared error is averaged over folds, as himalaya does.
        """
        if self.mode != "kernel":
            raise ValueError("block_errors needs a complete (kernel) decomposition.")
        everything = torch.arange(z.shape[1], device=z.device)
        rows = [torch.as_tensor(np.asarray(fold), device=z.device) for fold in folds]
        errors = torch.stack([
            self._block_columns(g, z, rows, everything, chunk_size)
            for g in self.shrinkage(alphas)])
        if z.dtype != torch.float64:
            _settle_ties(errors, lambda columns, tied: torch.stack([
                self._block_float64(alpha, Yc, rows, columns) if tied[index].any() else
                torch.full((columns.shape[0],), float("nan"), dtype=torch.float64,
                           device=Yc.device) for index, alpha in enumerate(alphas)]))
        return errors

    def _block_columns(self, g: torch.Tensor, z: torch.Tensor, folds: list[torch.Tensor],
                       columns: torch.Tensor, chunk_size: int | None,
                       basis: torch.Tensor | None = None) -> torch.Tensor:
        basis = self.basis if basis is None else basis
        total = torch.zeros(len(columns), dtype=torch.float64, device=z.device)
        for fold in folds:
            rows = basis[fold]
            weighted = rows * g
            inverse = torch.cholesky_inverse(_cholesky(dense.matmul(weighted, rows.T)))
            done = 0
            for chunk in self._chunks(columns, len(fold), chunk_size):
                held_out = dense.matmul(inverse, dense.matmul(weighted, z[:, chunk]))
                total[done:done + len(chunk)] += _mean_square(held_out).to(torch.float64)
                done += len(chunk)
        return total / len(folds)

    def _block_float64(self, alpha: torch.Tensor, Yc: torch.Tensor, folds: list[torch.Tensor],
                       columns: torch.Tensor) -> torch.Tensor:
        g = self.shrinkage(alpha.to(torch.float64).reshape(1))[0]
        basis = self.basis.to(torch.float64)
        z = dense.matmul(basis.T, Yc[:, columns].to(torch.float64))
        return self._block_columns(g, z, folds, torch.arange(len(columns)), None, basis)


def _settle_ties(errors: torch.Tensor,
                 exact: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Recompute, in place, the errors within :data:`TIE_TOLERANCE` of each target's best
    wherever more than one alpha is that close: ``exact(target_columns, tied)`` gives float64
    errors (alphas × columns) at least where ``tied`` (alphas × columns) is true."""
    filled = torch.where(torch.isnan(errors), torch.inf, errors)
    best = filled.min(0).values
    close = filled <= best * (1 + TIE_TOLERANCE)
    columns = torch.nonzero(close.sum(0) > 1).flatten()
    if columns.shape[0]:
        tied = close[:, columns]
        settled = exact(columns, tied)
        errors[:, columns] = torch.where(tied, settled, errors[:, columns])


def _mean_square(values: torch.Tensor) -> torch.Tensor:
    """Mean over rows of the squared values, per column."""
    return torch.linalg.vector_norm(values, dim=0).square_() / values.shape[0]


def _cholesky(system: torch.Tensor) -> torch.Tensor:
    """Lower Cholesky factor of a symmetric positive definite matrix, with a tiny diagonal
    lift when rounding made it indefinite."""
    system = (system + system.T) / 2
    factor, info = torch.linalg.cholesky_ex(system)
    if int(info) == 0:
        return factor
    scale = system.diagonal().abs().max().clamp_min(torch.finfo(system.dtype).tiny)
    eye = torch.eye(system.shape[0], dtype=system.dtype, device=system.device)
    jitter = torch.finfo(system.dtype).eps * scale
    for _ in range(8):
        factor, info = torch.linalg.cholesky_ex(system + jitter * eye)
        if int(info) == 0:
            return factor
        jitter = jitter * 100
    raise np.linalg.LinAlgError("A fold's hat-matrix block is singular; use fewer folds or "
                                "larger alphas.")


def kernel_spectrum(K: torch.Tensor, fit_intercept: bool) -> Spectrum:
    """Eigendecomposition of a training Gram matrix (centred when ``fit_intercept``)."""
    n = K.shape[0]
    if fit_intercept:
        # The constant vector spans the centred kernel's null space; lifting it to eigenvalue n
        # (scikit-learn's device) makes it a single, identifiable eigenvector.
        K = K + 1.0
    values, vectors = dense.eigh(K)
    values = values.clamp_min(0)
    intercept_dim = None
    if fit_intercept:
        ones = torch.full((n,), n ** -0.5, dtype=K.dtype, device=K.device)
        intercept_dim = int(torch.argmax((vectors.T @ ones).abs()))
    return Spectrum("kernel", vectors, values, intercept_dim, None, fit_intercept)


def primal_spectrum(X: torch.Tensor, fit_intercept: bool) -> Spectrum:
    """Thin SVD of a (centred) design matrix, numerically null directions dropped."""
    U, s, Vh = torch.linalg.svd(X, full_matrices=False)
    keep = s > s.max() * max(X.shape) * torch.finfo(X.dtype).eps if s.numel() else s > 0
    U, s, Vh = U[:, keep], s[keep], Vh[keep]
    return Spectrum("primal", U, s * s, None, Vh.T / s[None, :], fit_intercept)
