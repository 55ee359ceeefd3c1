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

Three devices keep the exact criteria cheap and their choice of alpha that of float64:

- *shrinkage profiles* (kernel mode): both exact criteria need every alpha's residuals
  ``r = Q (g ⊙ Qᵀy)``, one ``n × n × t`` product each. When the spectrum is narrow against the
  alpha grid, the alphas' shrinkage vectors are nearly dependent, and a few profiles reproduce
  each ``g`` to a relative error per component far below rounding of the criterion
  (:func:`_residual_plan`); every residual is then a combination of the profiles' products;
- *bounds*: in kernel mode ``‖r‖² = Σ g² (Qᵀy)²`` costs nothing, and the leave-one-out error
  lies between ``‖r‖² / (n max d²)`` and ``‖r‖² / (n min d²)`` (``d = 1 - H_ii``); an alpha whose
  lower bound exceeds another alpha's upper bound cannot be chosen, and its error is not
  computed (``NaN`` in the result);
- *near ties*: below float64, alphas whose errors lie within a relative
  :data:`TIE_TOLERANCE` of a target's best are computed again in float64 for that target, so
  that rounding does not decide between them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
# Float64 copies of basis rows made at once when settling near ties (bytes).
_ROW_BLOCK_BYTES = 64 * 2**20
# Below this many bytes of (samples × alphas × targets), all alphas go through one product.
_SMALL_BYTES = 8 * 2**20
# Relative error allowed in a residual formed from shrinkage profiles (see _residual_plan):
# well under TIE_TOLERANCE below float64, near rounding in float64.
_PLAN_TOLERANCE = {torch.float32: 1e-6, torch.float64: 1e-12}
# Largest growth of rounding errors allowed in a combination of profiles.
_PLAN_GROWTH = 8.0


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

        Small problems take every alpha in one matrix product. Otherwise, in kernel mode,
        the residuals ``Q (g ⊙ z)`` of every alpha that the bounds leave come from a few
        products with shrinkage profiles (:func:`_residual_plan`) or one product of their own,
        and are divided by the leverage complement; the pairs ruled out are NaN. In primal
        mode, one product per alpha and target chunk.
        """
        n, n_targets = Yc.shape
        n_alphas = alphas.shape[0]
        shrinkage = self.shrinkage(alphas)
        if n * n_alphas * n_targets * Yc.element_size() <= _SMALL_BYTES:
            errors = self._loo_all(shrinkage, z, Yc, self.basis).to(torch.float64)
        elif self.mode == "kernel":
            errors = self._loo_kernel(alphas, shrinkage, z, chunk_size)
        else:
            errors = torch.empty((n_alphas, n_targets), dtype=torch.float64, device=Yc.device)
            columns = torch.arange(n_targets, device=Yc.device)
            for index in range(n_alphas):
                errors[index] = self._loo_columns(shrinkage[index], z, Yc, columns,
                                                  chunk_size).to(torch.float64)
        if Yc.dtype != torch.float64:
            _settle_ties(errors, lambda columns, tied: self._loo_float64(alphas, Yc, columns,
                                                                         tied))
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

    def _kernel_complements(self, g: torch.Tensor) -> torch.Tensor:
        """``1 - H_ii`` (samples × alphas) in kernel mode, in float64, from the float64
        shrinkage ``g``; a block of basis rows converted at a time."""
        weights = g.T.contiguous()
        return torch.cat([dense.matmul((self.basis[rows] ** 2).to(torch.float64), weights)
                          for rows in _row_blocks(self.n_samples)])

    def _loo_kernel(self, alphas: torch.Tensor, shrinkage: torch.Tensor, z: torch.Tensor,
                    chunk_size: int | None) -> torch.Tensor:
        """Kernel-mode leave-one-out errors for the pairs the bounds leave (others NaN)."""
        n_alphas, n_targets = shrinkage.shape[0], z.shape[1]
        exact = self.shrinkage(alphas.to(torch.float64))
        complement64 = self._kernel_complements(exact)
        candidates = self._loo_candidates(z, exact, complement64)
        growth = complement64.max(0).values / complement64.min(0).values
        plan = _residual_plan(exact, growth, candidates.any(1), z.dtype)
        complement = complement64.to(z.dtype)
        errors = torch.full((n_alphas, n_targets), float("nan"), dtype=torch.float64,
                            device=z.device)
        wanted = torch.nonzero(candidates.any(0)).flatten()
        rows = self.n_samples * (plan.size + sum(plan.through) + 2)
        for chunk in self._chunks(wanted, rows, chunk_size):
            for batch, columns, residuals in self._residuals(
                    plan, shrinkage, z[:, chunk], candidates[:, chunk], together=True):
                residuals /= complement[:, batch].T[:, :, None]
                square = torch.linalg.vector_norm(residuals, dim=1).square_()
                errors[torch.as_tensor(batch, device=z.device)[:, None], chunk[columns]] = \
                    (square / self.n_samples).to(torch.float64)
        return errors.masked_fill_(~candidates, float("nan"))

    def _loo_candidates(self, z: torch.Tensor, g: torch.Tensor, complement: torch.Tensor
                        ) -> torch.Tensor:
        """Which (alpha, target) pairs may hold a target's smallest error (kernel mode), from
        the float64 shrinkage ``g`` and leverage complements ``complement``."""
        norms = (g * g) @ (z.to(torch.float64) ** 2) / self.n_samples  # ‖r‖² / n
        low = norms / complement.max(0).values[:, None] ** 2 * (1 - _BOUND_SLACK)
        high = norms / complement.min(0).values[:, None] ** 2 * (1 + _BOUND_SLACK)
        return low <= high.min(0).values[None, :]

    def _residuals(self, plan: _ResidualPlan, shrinkage: torch.Tensor, z: torch.Tensor,
                   wanted: torch.Tensor, basis: torch.Tensor | None = None,
                   together: bool = False
                   ) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor]]:
        """``(alphas, columns, residuals)`` with ``residuals[a] = Q (g_a ⊙ z[:, columns])``
        (alphas × samples × columns) for each alpha with a ``wanted`` (alphas × targets)
        column: all columns through the plan's profiles (``together``: all those alphas in
        one batch), or the wanted ones by a product of its own (kernel mode)."""
        basis = self.basis if basis is None else basis
        everything = torch.arange(z.shape[1], device=z.device)
        active = [index for index in range(shrinkage.shape[0]) if bool(wanted[index].any())]
        through = [index for index in active if plan.through[index]]
        if through:
            products = z.new_empty((plan.size, basis.shape[0], z.shape[1]))
            for profile, product in zip(plan.profiles, products):
                dense.matmul(basis, profile[:, None] * z, out=product)
            flat = products.reshape(plan.size, -1)
            for batch in ([through] if together else [[index] for index in through]):
                combined = dense.matmul(plan.coefficients[batch], flat)
                yield batch, everything, combined.reshape(len(batch), *products.shape[1:])
        for index in active:
            if not plan.through[index]:
                columns = torch.nonzero(wanted[index]).flatten()
                yield [index], columns, dense.matmul(
                    basis, shrinkage[index][:, None] * z[:, columns])[None]

    def _loo_columns(self, g: torch.Tensor, z: torch.Tensor, Yc: torch.Tensor,
                     columns: torch.Tensor, chunk_size: int | None) -> torch.Tensor:
        """Primal-mode leave-one-out errors of one alpha for ``columns``."""
        complement = self._complement(g)
        out = torch.empty(columns.shape[0], dtype=Yc.dtype, device=Yc.device)
        done = 0
        for chunk in self._chunks(columns, self.n_samples, chunk_size):
            fitted = dense.matmul(self.basis, (1.0 - g)[:, None] * z[:, chunk])
            errors = (Yc[:, chunk] - fitted) / complement[:, None]
            out[done:done + chunk.shape[0]] = _mean_square(errors)
            done += chunk.shape[0]
        return out

    def _loo_float64(self, alphas: torch.Tensor, Yc: torch.Tensor, columns: torch.Tensor,
                     wanted: torch.Tensor) -> torch.Tensor:
        """Leave-one-out errors (alphas × ``columns``) in float64 throughout (the
        decomposition itself stays as it was computed), for the ``wanted`` (alphas × columns)
        entries (the others are NaN); a block of basis rows converted at a time."""
        g = self.shrinkage(alphas.to(torch.float64))
        Y = Yc[:, columns].to(torch.float64)
        blocks = _row_blocks(self.n_samples, self.basis.shape[1])
        converted = (lambda rows: self.basis[rows].to(torch.float64)) if len(blocks) > 1 else \
            (lambda rows, whole=self.basis.to(torch.float64): whole)
        z = sum(dense.matmul(converted(rows).T, Y[rows]) for rows in blocks)
        # Every wanted (alpha, column) pair is one column of a single product per row block.
        pair_alpha, pair_column = torch.nonzero(wanted, as_tuple=True)
        weights = g if self.mode == "kernel" else 1.0 - g
        sums = torch.zeros(pair_alpha.shape[0], dtype=torch.float64, device=Yc.device)
        step = max(1, CHUNK_BYTES // (2 * self.n_samples * 8))
        for rows in blocks:
            basis = converted(rows)
            complement = dense.matmul(basis * basis, weights.T.contiguous())  # rows × alphas
            if self.mode != "kernel":
                complement = 1.0 - complement - (1.0 / self.n_samples if self.fit_intercept
                                                 else 0.0)
            for start in range(0, pair_alpha.shape[0], step):
                alpha, column = pair_alpha[start:start + step], pair_column[start:start + step]
                errors = dense.matmul(basis, weights[alpha].T * z[:, column])
                if self.mode != "kernel":
                    errors = Y[rows][:, column] - errors
                errors /= complement[:, alpha]
                sums[start:start + step] += (errors * errors).sum(0)
        out = torch.full(wanted.shape, float("nan"), dtype=torch.float64, device=Yc.device)
        out[pair_alpha, pair_column] = sums / self.n_samples
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
        ``I - H_VV = Q_V diag(g) Q_Vᵀ`` and ``r = Q (g ⊙ Qᵀy)`` (kernel mode); the residuals
        of all folds come from the same products (:meth:`_residuals`). Each fold's mean
        squared error is averaged over folds, as himalaya does.
        """
        if self.mode != "kernel":
            raise ValueError("block_errors needs a complete (kernel) decomposition.")
        # Rows in fold order: each fold's rows of the basis and residuals are then a slice.
        order = torch.as_tensor(np.concatenate([np.asarray(fold) for fold in folds]),
                                device=z.device)
        bounds = np.cumsum([0] + [len(fold) for fold in folds])
        slices = [slice(int(start), int(stop)) for start, stop in zip(bounds[:-1], bounds[1:])]
        exact = self.shrinkage(alphas.to(torch.float64))
        live = exact[:, (exact > 0).all(0)]
        growth = live.max(1).values / live.min(1).values if live.shape[1] else \
            torch.ones(len(alphas), dtype=torch.float64)
        everything = torch.ones((len(alphas), z.shape[1]), dtype=torch.bool, device=z.device)
        plan = _residual_plan(exact, growth, everything.any(1), z.dtype)
        errors = self._block_columns(self.shrinkage(alphas), z, self.basis[order], slices,
                                     everything, plan, chunk_size)
        if z.dtype != torch.float64:
            _settle_ties(errors, lambda columns, tied: self._block_float64(
                alphas, Yc, order, slices, columns, tied))
        return errors

    def _block_columns(self, shrinkage: torch.Tensor, z: torch.Tensor, basis: torch.Tensor,
                       folds: list[slice], wanted: torch.Tensor, plan: _ResidualPlan,
                       chunk_size: int | None) -> torch.Tensor:
        """K-fold errors (alphas × targets; NaN where not ``wanted``) from the ``basis`` rows
        in fold order (``folds`` slice them)."""
        errors = torch.full(wanted.shape, float("nan"), dtype=torch.float64, device=z.device)
        factors: dict[tuple[int, int, bool], torch.Tensor] = {}
        keep = sum((fold.stop - fold.start) ** 2 for fold in folds) * len(shrinkage) \
            * z.element_size() <= CHUNK_BYTES
        columns_wanted = torch.nonzero(wanted.any(0)).flatten()
        for chunk in self._chunks(columns_wanted, self.n_samples * (plan.size + 2), chunk_size):
            for (index,), columns, (residual,) in self._residuals(
                    plan, shrinkage, z[:, chunk], wanted[:, chunk], basis):
                total = torch.zeros(len(columns), dtype=torch.float64, device=z.device)
                for number, fold in enumerate(folds):
                    # Fewer columns than rows: triangular solves; else the inverse, one product.
                    solve = len(columns) < fold.stop - fold.start
                    factor = factors.get((index, number, solve))
                    if factor is None:
                        factor = _cholesky(dense.outer_gram(basis[fold]
                                                            * shrinkage[index].sqrt()))
                        if not solve:
                            factor = torch.cholesky_inverse(factor)
                        if keep:
                            factors[index, number, solve] = factor
                    held_out = (torch.cholesky_solve(residual[fold], factor) if solve
                                else dense.matmul(factor, residual[fold]))
                    total += _mean_square(held_out).to(torch.float64)
                errors[index, chunk[columns]] = total / len(folds)
        return errors.masked_fill_(~wanted, float("nan"))

    def _block_float64(self, alphas: torch.Tensor, Yc: torch.Tensor, order: torch.Tensor,
                       folds: list[slice], columns: torch.Tensor, wanted: torch.Tensor
                       ) -> torch.Tensor:
        """K-fold errors (alphas × ``columns``) in float64 for the ``wanted`` entries."""
        g = self.shrinkage(alphas.to(torch.float64))
        basis = self.basis[order].to(torch.float64)  # rows in fold order, like the targets
        z = dense.matmul(basis.T, Yc[:, columns][order].to(torch.float64))
        return self._block_columns(g, z, basis, folds, wanted,
                                   _ResidualPlan.direct(len(alphas)), None)


@dataclass
class _ResidualPlan:
    """How to form the residuals ``Q (g ⊙ z)`` of several alphas with fewer products.

    ``profiles`` (m × components) span every alpha marked ``through`` to within the tolerance
    of :func:`_residual_plan`: that alpha's shrinkage is ``coefficients[alpha] @ profiles``, so
    its residuals are the same combination of the m products ``Q (profile ⊙ z)``. The other
    alphas take a product of their own.
    """

    profiles: torch.Tensor | None
    coefficients: torch.Tensor | None
    through: list[bool]

    @property
    def size(self) -> int:
        return 0 if self.profiles is None else self.profiles.shape[0]

    @classmethod
    def direct(cls, n_alphas: int) -> _ResidualPlan:
        return cls(None, None, [False] * n_alphas)


def _residual_plan(g: torch.Tensor, growth: torch.Tensor, active: torch.Tensor,
                   dtype: torch.dtype) -> _ResidualPlan:
    """Shrinkage profiles that serve the ``active`` alphas with the fewest products.

    ``g`` is the float64 shrinkage (alphas × components). When the spectrum is narrow against
    the alpha grid, the alphas' shrinkage vectors are nearly dependent: the leading right
    singular vectors of the (row-normalised) active ones reproduce each to a small relative
    error *per component*, ``|ĝ_k - g_k| ≤ e g_k``, and then ``‖Q ((ĝ - g) ⊙ z)‖ ≤ e ‖Q (g ⊙
    z)‖`` for every target. An alpha goes through the profiles when ``e`` times its
    ``growth`` (how much a residual error can grow into its criterion, e.g. ``max d / min d``
    for leave-one-out) is within :data:`_PLAN_TOLERANCE` of ``dtype``, and the combination
    does not cancel (its absolute terms stay within :data:`_PLAN_GROWTH` of ``g``). The number
    of profiles minimises products (profiles plus alphas left out); ties favour fewer
    profiles, and nothing is planned unless it saves a product.
    """
    n_alphas = g.shape[0]
    plan = _ResidualPlan.direct(n_alphas)
    chosen = torch.nonzero(active.cpu()).flatten()
    live = (g > 0).all(0)  # the intercept's component has g = 0 for every alpha: kept at 0
    if chosen.shape[0] < 3 or not bool(live.any()):
        return plan
    shrinkage = g[chosen][:, live].cpu()
    _, _, right = torch.linalg.svd(shrinkage / torch.linalg.vector_norm(
        shrinkage, dim=1, keepdim=True), full_matrices=False)
    ones = torch.ones(shrinkage.shape + (1,), dtype=torch.float64)
    best_cost, best = chosen.shape[0], None
    for size in range(1, chosen.shape[0]):
        profiles = right[:size]
        # Per alpha, least squares in relative terms: min ‖(profilesᵀ c - g) / g‖.
        system = (profiles[None, :, :] / shrinkage[:, None, :]).transpose(1, 2)
        coefficients = torch.linalg.lstsq(system, ones).solution[..., 0]
        error = ((coefficients @ profiles - shrinkage).abs() / shrinkage).amax(1)
        spread = ((coefficients.abs() @ profiles.abs()) / shrinkage).amax(1)
        fits = (error * growth[chosen].cpu() <= _PLAN_TOLERANCE[dtype]) & \
            (spread <= _PLAN_GROWTH)
        cost = size + int((~fits).sum())
        if cost < best_cost:
            best_cost, best = cost, (profiles, coefficients, fits)
        if bool(fits.all()):
            break
    if best is None:
        return plan
    profiles, coefficients, fits = best
    full = torch.zeros((profiles.shape[0], g.shape[1]), dtype=torch.float64)
    full[:, live] = profiles
    every = torch.zeros((n_alphas, profiles.shape[0]), dtype=torch.float64)
    every[chosen] = coefficients
    through = [False] * n_alphas
    for position, index in enumerate(chosen.tolist()):
        through[index] = bool(fits[position])
    return _ResidualPlan(full.to(device=g.device, dtype=dtype),
                         every.to(device=g.device, dtype=dtype), through)


def _row_blocks(n: int, columns: int | None = None) -> list[slice]:
    """Slices of rows covering ``n``, each at most :data:`_ROW_BLOCK_BYTES` of float64 over
    ``columns`` (default ``n``) columns."""
    step = max(1, _ROW_BLOCK_BYTES // (8 * (columns or n)))
    return [slice(start, start + step) for start in range(0, n, step)]


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
