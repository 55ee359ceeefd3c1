"""PLS fitted on every split of a cross-validation at once, from one Gram matrix.

:class:`~dynamic_vision.statistics.linear_models.pls.PLSRegression` fits one split with a few
products by the split's kernel per component. Over many splits these products are
matrix-vector products that each read the whole kernel; here the splits advance in lockstep,
so each component reads the Gram matrix of all stimuli once for every split (one matrix
product), and the targets once. Every split's vectors live in the space of all stimuli, zero
outside its training rows; centring on a split's training mean is a masked mean.

The first targets' eigenproblem ``YcᵀKcYc`` of every split comes from the full data's
``YᵀKY`` minus its test rows' share (``O(n_test · n · t)`` per split instead of
``O(n_train² · t)``), and its leading eigenpairs come from one Lanczos iteration run on all splits at once. The result is the very same model as fitting each split alone (tests compare them).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch

from dynamic_vision.statistics.linear_models import dense
from dynamic_vision.statistics.linear_models.pls import _DIRECT_SIZE, leading_eigenpair

__all__ = ["cross_predict_pls"]

class _Splits:
    """Masks and masked means of S training sets within n samples."""

    def __init__(self, splits, n: int, dtype: torch.dtype, device: torch.device):
        self.train = [torch.as_tensor(np.asarray(train), device=device) for train, _ in splits]
        self.test = [torch.as_tensor(np.asarray(test), device=device) for _, test in splits]
        self.mask = torch.zeros((n, len(splits)), dtype=dtype, device=device)
        for index, rows in enumerate(self.train):
            self.mask[rows, index] = 1.0
        self.sizes = self.mask.sum(0)

    def center(self, values: torch.Tensor) -> torch.Tensor:
        """Columns (one per split) centred on their split's training rows, zero elsewhere."""
        means = (self.mask * values).sum(0) / self.sizes
        return self.mask * (values - means)


def cross_predict_pls(estimator: Any, K: torch.Tensor, Y: np.ndarray, splits
                      ) -> tuple[list[np.ndarray], list[Any]]:
    """Held-out predictions and fitted copies of a ``PLSRegression(scale=False)`` for every
    split, from the Gram matrix ``K`` of all samples (centred on their mean)."""
    from dynamic_vision.statistics.linear_models.kernel import as_tensor

    dtype, device = K.dtype, K.device
    Y_t = as_tensor(Y, dtype, device)
    n, n_targets = Y_t.shape
    sets = _Splits(splits, n, dtype, device)
    y_means = dense.matmul(sets.mask.T, Y_t) / sets.sizes[:, None]  # splits × targets
    row_sums = dense.matmul(K, sets.mask)  # K_TT 1 on each split's training rows
    C = _first_eigenproblems(K, Y_t, sets, y_means, row_sums)
    T, A, KA, counts = _components(K, Y_t, sets, y_means, C, estimator.n_components)
    predictions, fitted = [], []
    for index, (train, test) in enumerate(zip(sets.train, sets.test)):
        k = int(counts[index])
        scores, directions = T[index, :, :k], A[index, :, :k]
        tt = (scores * scores).sum(0)
        y_loadings = dense.matmul(Y_t.T, scores) / tt  # scores are centred: Ycᵀ T = Yᵀ T
        loadings_dot_weights = (scores.T @ KA[index, :, :k]) / tt[:, None]
        rotation = torch.linalg.solve(loadings_dot_weights, y_loadings.T)  # components × targets
        dual = directions[train] @ rotation
        K_test = K[test][:, train]
        train_means = row_sums[train, index] / sets.sizes[index]
        K_test = K_test - K_test.mean(1, keepdim=True) - train_means[None, :] \
            + train_means.mean()
        predicted = (K_test @ directions[train]) @ rotation + y_means[index]
        model = copy.deepcopy(estimator)
        model._dual_coef, model._y_mean = dual, y_means[index]
        model._y_std = torch.ones_like(y_means[index])
        model._ndim_y = np.ndim(Y)
        model.n_components_ = k
        model.x_scores_ = scores[train].cpu().numpy()
        predicted = predicted.cpu().numpy()
        predictions.append(predicted[:, 0] if np.ndim(Y) == 1 else predicted)
        fitted.append(model)
    return predictions, fitted


def _first_eigenproblems(K: torch.Tensor, Y: torch.Tensor, sets: _Splits,
                         y_means: torch.Tensor, row_sums: torch.Tensor) -> torch.Tensor:
    """``Ycᵀ Kc Yc`` of every split (splits × targets × targets), from ``YᵀKY`` of all rows
    minus the products that involve a split's test rows."""
    KY = dense.matmul(K, Y)
    whole = dense.matmul(Y.T, KY)
    out = []
    for index, test in enumerate(sets.test):
        Y_test = Y[test]
        cross = dense.matmul(Y_test.T, KY[test])  # Σ over (test, all)
        inner = dense.matmul(Y_test.T, dense.matmul(K[test][:, test], Y_test))
        train_block = whole - cross - cross.T + inner  # Y_Tᵀ K_TT Y_T
        mask = sets.mask[:, index]
        q = dense.matmul(Y.T, (mask * row_sums[:, index])[:, None])[:, 0]  # Y_Tᵀ K_TT 1
        total = (mask * row_sums[:, index]).sum()  # 1ᵀ K_TT 1
        mean = y_means[index]
        C = train_block - torch.outer(mean, q) - torch.outer(q, mean) \
            + total * torch.outer(mean, mean)
        out.append((C + C.T) / 2)
    return torch.stack(out)


def _components(K: torch.Tensor, Y: torch.Tensor, sets: _Splits, y_means: torch.Tensor,
                C: torch.Tensor, n_components: int
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Scores, sample-space directions and the kernel times the directions of every split
    (splits × samples × components each), and the number of components of each split (fewer
    where the targets are explained).

    The algebra is :func:`~dynamic_vision.statistics.linear_models.pls._components` with the
    deflated targets ``W = PYc`` kept implicit: ``W v = Yc v - U (B v)`` with ``B = UᵀYc``.
    """
    import warnings

    n_splits, n, n_targets = C.shape[0], K.shape[0], Y.shape[1]
    dtype, device = K.dtype, K.device
    U = torch.zeros((n_splits, n, n_components), dtype=dtype, device=device)
    Ut = torch.zeros((n_splits, n_components, n), dtype=dtype, device=device)  # Uᵀ, contiguous
    T = torch.zeros_like(U)
    A = torch.zeros_like(U)
    KA = torch.zeros_like(U)  # Kc A, for the weights' loadings at the end
    B = torch.zeros((n_splits, n_components, n_targets), dtype=dtype, device=device)
    counts = torch.zeros(n_splits, dtype=torch.long, device=device)
    active = torch.ones(n_splits, dtype=torch.bool, device=device)
    first, start = None, None
    eps = torch.finfo(dtype).eps
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
        on = active.to(dtype)
        scale = torch.where(active, torch.rsqrt(strength.clamp_min(torch.finfo(dtype).tiny)),
                            torch.zeros_like(strength))
        Uk, Uk_t, Bk = U[:, :, :component], Ut[:, :component], B[:, :component]
        Yv = dense.matmul(Y, v.T) - (y_means * v).sum(1)  # Yc v (n × splits), before masking
        a = sets.mask * (Yv - _bmv(Uk, _bmv(Bk, v)).T)
        a = a * scale
        Ka = sets.center(dense.matmul(K, a))
        score = Ka - _bmv(Uk, _bmv(Uk_t, Ka.T)).T
        norm = torch.linalg.vector_norm(score, dim=0)
        u = score / torch.where(norm > 0, norm, torch.ones_like(norm))
        u = u - _bmv(Uk, _bmv(Uk_t, u.T)).T
        u = u / torch.linalg.vector_norm(u, dim=0).clamp_min(torch.finfo(dtype).tiny) * on
        s = sets.center(dense.matmul(K, u))
        b = dense.matmul(Y.T, u).T  # splits × targets (u is centred)
        c = dense.matmul(Y.T, s).T - _bmv(Bk.transpose(1, 2).contiguous(), _bmv(Uk_t, s.T))
        gamma = (u * s).sum(0)
        d = c - gamma[:, None] / 2 * b  # C - c bᵀ - b cᵀ + γ b bᵀ = C - d bᵀ - b dᵀ
        C.baddbmm_(torch.stack([d, b], 2), torch.stack([b, d], 1), alpha=-1)
        U[:, :, component] = u.T
        Ut[:, component] = u.T
        B[:, component] = b
        T[:, :, component] = (score * on).T
        A[:, :, component] = (a * on).T
        KA[:, :, component] = (Ka * on).T
        counts += active.long()
    if not (counts > 0).all():
        raise ValueError("PLS found no component on some split: its targets do not vary.")
    return T, A, KA, counts


def _bmv(M: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``M[b] @ x[b]`` over the batch (empty products give zeros)."""
    if M.shape[2] == 0:
        return torch.zeros(M.shape[:2], dtype=M.dtype, device=M.device)
    return dense.batched_matvec(M.contiguous(), x.contiguous())


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


def _batched_lanczos(C: np.ndarray, start: np.ndarray | None = None, tol: float = 1e-12,
                     krylov_size: int = 64, restarts: int = 40, check_every: int = 8
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~dynamic_vision.statistics.linear_models.pls.leading_eigenpair`'s Lanczos
    iteration on a batch of symmetric matrices at once, each run stopping when its Ritz pair
    has converged; also returns each run's second Ritz vector (a start for the next,
    deflated problem)."""
    from scipy.linalg import eigh_tridiagonal

    batch, size, _ = C.shape
    if start is None:
        start = np.broadcast_to(np.random.default_rng(0).standard_normal(size).astype(C.dtype),
                                (batch, size))
    q = start / np.linalg.norm(start, axis=1, keepdims=True)
    m = min(size, krylov_size)
    vectors, values, seconds = q.copy(), np.zeros(batch, dtype=C.dtype), q.copy()
    settled = np.zeros(batch, dtype=bool)
    for _ in range(restarts):
        basis = np.zeros((batch, m + 1, size), dtype=C.dtype)
        basis[:, 0] = q
        diagonal = np.zeros((batch, m), dtype=C.dtype)
        off = np.zeros((batch, m), dtype=C.dtype)
        exhausted = np.zeros(batch, dtype=bool)
        for j in range(m):
            w = np.matmul(C, basis[:, j, :, None])[:, :, 0]
            diagonal[:, j] = np.einsum("bs,bs->b", basis[:, j], w)
            done = basis[:, :j + 1]
            for _ in range(2):  # classical Gram-Schmidt, twice
                w -= np.matmul(np.matmul(done, w[:, :, None])[:, None, :, 0], done)[:, 0]
            off[:, j] = np.linalg.norm(w, axis=1)
            newly = ~exhausted & (off[:, j] <= tol * np.abs(diagonal[:, 0]))
            exhausted |= newly
            basis[:, j + 1] = np.where(exhausted[:, None], 0.0,
                                       w / np.where(off[:, j:j + 1] > 0, off[:, j:j + 1], 1.0))
            steps = j + 1
            if not (newly.any() or steps == m or (steps >= check_every
                                                  and steps % check_every == 0)):
                continue
            for b in np.flatnonzero(~settled):
                length = steps if not exhausted[b] else int(np.argmax(
                    off[b, :steps] <= tol * abs(diagonal[b, 0]))) + 1
                ritz, weights = eigh_tridiagonal(diagonal[b, :length], off[b, :length - 1])
                vector = weights[:, -1] @ basis[b, :length]
                vectors[b], values[b] = vector / np.linalg.norm(vector), ritz[-1]
                if length > 1:
                    second = weights[:, -2] @ basis[b, :length]
                    seconds[b] = second / np.linalg.norm(second)
                if exhausted[b] or off[b, length - 1] * abs(weights[-1, -1]) <= \
                        tol * abs(ritz[-1]):
                    settled[b] = True
            if settled.all():
                return vectors, values, seconds
        q = vectors.copy()
    return vectors, values, seconds
