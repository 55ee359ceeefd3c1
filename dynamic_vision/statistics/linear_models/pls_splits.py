"""PLS fitted on every split of a cross-validation at once, from one Gram matrix.

:class:`~dynamic_vision.statistics.linear_models.pls.PLSRegression` fits one split with a few
products by the split's kernel per component. Over many splits these products are
matrix-vector products that each read the whole kernel; here the splits advance in lockstep,
so each component reads the Gram matrix of all stimuli once for every split (one matrix
product), and the targets once. Every split's vectors are rows (splits × samples) in the space
of all stimuli, zero outside its training rows; centring on a split's training mean is a
masked mean, and a split's test kernel is the Gram matrix's test rows, re-centred by rank-one
corrections.

The first targets' eigenproblem ``YcᵀKcYc`` of every split comes from the full data's
``YᵀKY`` minus its test rows' share (``O(n_test · n · t)`` per split instead of
``O(n_train² · t)``), and the leading eigenpairs of every component come from one Lanczos
iteration run on all splits at once. The result is the very same model as fitting each split
alone (tests compare them).
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import torch

from dynamic_vision.statistics.linear_models import dense
from dynamic_vision.statistics.linear_models.pls import _DIRECT_SIZE, leading_eigenpair

__all__ = ["cross_predict_pls"]


class _Splits:
    """Masks (splits × samples) and masked means of S training sets within n samples."""

    def __init__(self, splits, n: int, dtype: torch.dtype, device: torch.device):
        self.train = [torch.as_tensor(np.asarray(train), device=device) for train, _ in splits]
        self.test = [torch.as_tensor(np.asarray(test), device=device) for _, test in splits]
        self.mask = torch.zeros((len(splits), n), dtype=dtype, device=device)
        for index, rows in enumerate(self.train):
            self.mask[index, rows] = 1.0
        self.sizes = self.mask.sum(1)

    def center(self, values: torch.Tensor) -> torch.Tensor:
        """Rows (one per split) centred on their split's training entries, zero elsewhere."""
        masked = self.mask * values
        return self.mask * (values - (masked.sum(1) / self.sizes)[:, None])


def cross_predict_pls(estimator: Any, K: torch.Tensor, Y: np.ndarray, splits
                      ) -> tuple[list[np.ndarray], list[Any]]:
    """Held-out predictions and fitted copies of a ``PLSRegression(scale=False)`` for every
    split, from the Gram matrix ``K`` of all samples (centred on their mean)."""
    from dynamic_vision.statistics.linear_models.kernel import as_tensor

    dtype, device = K.dtype, K.device
    Y_t = as_tensor(Y, dtype, device)
    n = Y_t.shape[0]
    sets = _Splits(splits, n, dtype, device)
    y_means = dense.matmul(sets.mask, Y_t) / sets.sizes[:, None]  # splits × targets
    column_sums = dense.matmul(sets.mask, K)  # 1ᵀ K[train, :] of each split (K is symmetric)
    C = _first_eigenproblems(K, Y_t, sets, y_means, column_sums)
    T, A, KA, counts = _components(K, Y_t, sets, y_means, C, estimator.n_components)
    predictions, fitted = [], []
    for index, (train, test) in enumerate(zip(sets.train, sets.test)):
        k = int(counts[index])
        scores, directions = T[index, :k], A[index, :k]  # components × samples
        tt = (scores * scores).sum(1)
        y_loadings = dense.matmul(scores, Y_t) / tt[:, None]  # scores are centred: TᵀYc = TᵀY
        loadings_dot_weights = dense.matmul(scores, KA[index, :k].T) / tt[:, None]
        rotation = torch.linalg.solve(loadings_dot_weights, y_loadings)  # components × targets
        # The test kernel centred on the training mean, times the directions (zero outside the
        # training rows): K[test] A minus the rank-one corrections of the centring.
        size = sets.sizes[index]
        K_rows = K[test]
        test_means = dense.matmul(K_rows, sets.mask[index][:, None])[:, 0] / size
        train_means = column_sums[index] / size
        direction_sums = directions.sum(1)
        projected = dense.matmul(K_rows, directions.T) - torch.outer(test_means, direction_sums) \
            - (dense.matmul(directions, train_means[:, None])[:, 0]
               - train_means[train].mean() * direction_sums)[None, :]
        predicted = dense.matmul(projected, rotation) + y_means[index]
        model = copy.deepcopy(estimator)
        model._dual_coef, model._dual_factors = None, (directions[:, train].T, rotation)
        model._y_mean = y_means[index]
        model._y_std = torch.ones_like(y_means[index])
        model._ndim_y = np.ndim(Y)
        model.n_components_ = k
        model.x_scores_ = scores[:, train].T.cpu().numpy()
        predicted = predicted.cpu().numpy()
        predictions.append(predicted[:, 0] if np.ndim(Y) == 1 else predicted)
        fitted.append(model)
    return predictions, fitted


def _first_eigenproblems(K: torch.Tensor, Y: torch.Tensor, sets: _Splits,
                         y_means: torch.Tensor, column_sums: torch.Tensor) -> torch.Tensor:
    """``Ycᵀ Kc Yc`` of every split (splits × targets × targets), from ``YᵀKY`` of all rows
    minus the products that involve a split's test rows.

    With ``Yₜ`` a split's test rows, ``Y_TᵀK_TTY_T = YᵀKY - YₜᵀZ - ZᵀYₜ`` where
    ``Z = (KY)ₜ - ½ KₜₜYₜ``, and centring on the training mean ``m`` subtracts
    ``m rᵀ + r mᵀ`` with ``r = Y_TᵀK_TT1 - ½ (1ᵀK_TT1) m``: one product of (test rows + 1)
    by targets per split.
    """
    KY = dense.matmul(K, Y)
    whole = dense.matmul(Y.T, KY)
    whole = (whole + whole.T) / 2
    in_train = sets.mask * column_sums  # K_TT 1 on each split's training rows, zero elsewhere
    r_all = dense.matmul(in_train, Y) - in_train.sum(1, keepdim=True) / 2 * y_means
    out = torch.empty((len(sets.test),) + whole.shape, dtype=K.dtype, device=K.device)
    for index, test in enumerate(sets.test):
        Y_test = Y[test]
        Z = KY[test] - dense.matmul(K[test][:, test], Y_test) / 2
        left = torch.cat([Y_test, y_means[index, None]])
        right = torch.cat([Z, r_all[index, None]])
        P = dense.matmul(left.T, right)
        P += P.T.clone()  # exactly symmetric, as is whole
        torch.sub(whole, P, out=out[index])
    return out


def _components(K: torch.Tensor, Y: torch.Tensor, sets: _Splits, y_means: torch.Tensor,
                C: torch.Tensor, n_components: int
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Scores, sample-space directions and the kernel times the directions of every split
    (splits × components × samples each), and the number of components of each split (fewer
    where the targets are explained).

    The algebra is :func:`~dynamic_vision.statistics.linear_models.pls._components` with the
    deflated targets ``W = PYc`` kept implicit: ``W v = Yc v - U (B v)`` with ``B = UᵀYc``.
    Vectors are rows, one per split, so every product by ``K`` or ``Y`` is one matrix product
    and the earlier components are read in place (no copies).
    """
    n_splits, n_targets, n = C.shape[0], Y.shape[1], K.shape[0]
    dtype, device = K.dtype, K.device
    U = torch.zeros((n_splits, n_components, n), dtype=dtype, device=device)  # orthonormal
    T = torch.zeros_like(U)
    A = torch.zeros_like(U)
    KA = torch.zeros_like(U)  # Kc A, for the weights' loadings at the end
    B = torch.zeros((n_splits, n_components, n_targets), dtype=dtype, device=device)
    counts = torch.zeros(n_splits, dtype=torch.long, device=device)
    active = torch.ones(n_splits, dtype=torch.bool, device=device)
    first, start = None, None
    eps, tiny = torch.finfo(dtype).eps, torch.finfo(dtype).tiny
    for component in range(n_components):
        v, strength, start = leading_eigenpairs(C, start)
        first = strength.clone() if first is None else first
        stopping = active & ~(strength > first * eps * 100)
        if stopping.any():
            warnings.warn(f"PLS stopped after {component} of {n_components} components on "
                          f"{int(stopping.sum())} split(s): the targets are fully explained.",
                          RuntimeWarning, stacklevel=4)
            active = active & ~stopping
        if not active.any():
            break
        on = active.to(dtype)[:, None]
        scale = torch.where(active, torch.rsqrt(strength.clamp_min(tiny)),
                            torch.zeros_like(strength))
        Uk, Bk = U[:, :component], B[:, :component]
        Yv = dense.matmul(v, Y.T) - (y_means * v).sum(1, keepdim=True)  # (Yc v)ᵀ, unmasked
        a = sets.mask * (Yv - _combine(_project(Bk, v), Uk)) * scale[:, None]
        Ka = sets.center(dense.matmul(a, K))
        score = Ka - _combine(_project(Uk, Ka), Uk)  # PKPa, as Pa = a
        norm = torch.linalg.vector_norm(score, dim=1, keepdim=True)
        u = score / torch.where(norm > 0, norm, torch.ones_like(norm))
        u = u - _combine(_project(Uk, u), Uk)  # keep U orthonormal to working precision
        u = u / torch.linalg.vector_norm(u, dim=1, keepdim=True).clamp_min(tiny) * on
        s = sets.center(dense.matmul(u, K))
        b, c = dense.matmul(torch.cat([u, s]), Y).split(n_splits)  # u and s are centred
        c = c - _combine(_project(Uk, s), Bk)
        gamma = (u * s).sum(1)
        d = c - gamma[:, None] / 2 * b  # C - c bᵀ - b cᵀ + γ b bᵀ = C - d bᵀ - b dᵀ
        C.baddbmm_(torch.stack([d, b], 2), torch.stack([b, d], 1), alpha=-1)
        U[:, component] = u
        B[:, component] = b
        T[:, component] = score * on
        A[:, component] = a * on
        KA[:, component] = Ka * on
        counts += active.long()
    if not (counts > 0).all():
        raise ValueError("PLS found no component on some split: its targets do not vary.")
    return T, A, KA, counts


def _project(M: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``M[b] @ x[b]`` over the batch: (batch × k × size) by (batch × size) → batch × k."""
    if M.shape[1] == 0:
        return torch.zeros(M.shape[:2], dtype=M.dtype, device=M.device)
    return dense.batched_matvec(M, x)


def _combine(x: torch.Tensor, M: torch.Tensor) -> torch.Tensor:
    """``x[b] @ M[b]`` over the batch: (batch × k) by (batch × k × size) → batch × size."""
    if M.shape[1] == 0:
        return torch.zeros((M.shape[0], M.shape[2]), dtype=M.dtype, device=M.device)
    return dense.batched_vecmat(x, M)


def leading_eigenpairs(C: torch.Tensor, start: np.ndarray | None = None
                       ) -> tuple[torch.Tensor, torch.Tensor, np.ndarray | None]:
    """Largest eigenvalue and unit eigenvector of each matrix of a batch (batch × size ×
    size), and a start for the next deflated batch: one Lanczos iteration for all of them on
    the CPU (numpy, one BLAS product per matrix and step), one matrix at a time elsewhere."""
    if C.device.type == "cpu" and C.shape[1] > _DIRECT_SIZE:
        vectors, values, seconds = _batched_lanczos(C.numpy(), start)
        return torch.from_numpy(vectors), torch.from_numpy(values), seconds
    pairs = [leading_eigenpair(matrix.__matmul__, matrix.shape[0], matrix.dtype,
                               matrix.device, matrix=matrix) for matrix in C]
    return torch.stack([v for v, _ in pairs]), torch.stack([value for _, value in pairs]), None


def _unit_rows(values: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Rows scaled to unit norm; a zero row becomes the matching row of ``fallback``."""
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    return np.where(norms > 0, values / np.where(norms > 0, norms, 1.0), fallback)


def _batched_lanczos(C: np.ndarray, start: np.ndarray | None = None, tol: float = 1e-12,
                     krylov_size: int = 64, restarts: int = 40, check_every: int = 2
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~dynamic_vision.statistics.linear_models.pls.leading_eigenpair`'s Lanczos
    iteration on a batch of symmetric matrices at once, each run stopping when its Ritz pair
    has converged; also returns each run's second Ritz vector (a start for the next,
    deflated problem).

    A run whose Krylov space is exhausted (an invariant subspace) continues with zero vectors:
    its tridiagonal matrix gains a zero block, which leaves its leading Ritz pair alone, so
    every run's Ritz pairs come from one batched ``eigh``. That ``eigh`` of small tridiagonal
    matrices is cheap next to a step (a product by every split's matrix), so the Ritz pairs are
    checked every ``check_every`` steps.
    """
    batch, size, _ = C.shape
    # A matrix held to working precision defines its eigenvector no better than that: in
    # float32 the residual need not go below a few rounding errors of C.
    tol = max(tol, 10 * float(np.finfo(C.dtype).eps))
    fixed = np.broadcast_to(np.random.default_rng(0).standard_normal(size).astype(C.dtype),
                            (batch, size))
    q = _unit_rows(fixed if start is None else start, fixed / np.linalg.norm(fixed[0]))
    m = min(size, krylov_size)
    vectors, values, seconds = q.copy(), np.zeros(batch, dtype=C.dtype), q.copy()
    settled = np.zeros(batch, dtype=bool)
    for _ in range(restarts):
        basis = np.zeros((batch, m + 1, size), dtype=C.dtype)
        basis[:, 0] = q
        tridiagonal = np.zeros((batch, m, m), dtype=C.dtype)  # lower triangle filled
        exhausted = np.zeros(batch, dtype=bool)
        for j in range(m):
            w = np.matmul(C, basis[:, j, :, None])[:, :, 0]
            tridiagonal[:, j, j] = np.einsum("bs,bs->b", basis[:, j], w)
            done = basis[:, :j + 1]
            for _ in range(2):  # classical Gram-Schmidt, twice
                w -= np.matmul(np.matmul(done, w[:, :, None]).transpose(0, 2, 1), done)[:, 0]
            off = np.sqrt(np.einsum("bs,bs->b", w, w))
            newly = ~exhausted & (off <= tol * np.abs(tridiagonal[:, 0, 0]))
            if newly.any():
                exhausted |= newly
                off[exhausted] = 0.0
                w[exhausted] = 0.0
            basis[:, j + 1] = w / np.where(off > 0, off, 1.0)[:, None]
            if j + 1 < m:
                tridiagonal[:, j + 1, j] = off
            steps = j + 1
            if not (newly.any() or steps == m or (steps >= check_every
                                                  and steps % check_every == 0)):
                continue
            runs = np.flatnonzero(~settled)
            ritz, weights = np.linalg.eigh(tridiagonal[runs, :steps, :steps])  # lower triangle
            residual = off[runs] * np.abs(weights[:, -1, -1])
            converged = exhausted[runs] | (residual <= tol * np.abs(ritz[:, -1]))
            # Ritz vectors only where they are used: converged runs, and all at a restart
            chosen = np.ones_like(converged) if steps == m else converged
            if chosen.any():
                picked = runs[chosen]
                span = basis[picked, :steps]
                vectors[picked] = _unit_rows(
                    np.matmul(weights[chosen][:, None, :, -1], span)[:, 0], vectors[picked])
                values[picked] = ritz[chosen, -1]
                if steps > 1:
                    seconds[picked] = _unit_rows(
                        np.matmul(weights[chosen][:, None, :, -2], span)[:, 0], seconds[picked])
            settled[runs[converged]] = True
            if settled.all():
                return vectors, values, seconds
        q = vectors.copy()
    return vectors, values, seconds
