"""The few dense kernels the linear models spend their time in, on the fastest library at hand.

Matrix products, symmetric products ``X Xᵀ`` and symmetric eigendecompositions of CPU tensors
go to numpy/scipy (BLAS and LAPACK through OpenBLAS); tensors on a GPU stay in torch. The
fitting entry points run inside :func:`blas_threads`
(through :func:`~dynamic_vision.statistics.linear_models.kernel.thread_budget`), so BLAS uses as
many threads as torch is allowed. Measured on a shared 2-core AMD EPYC (one thread, float32,
CPU seconds; ``perf/ridge_speed.py`` shapes): a 1600 × 1600 by 1600 × 10000 product 0.63 s
with numpy against 0.75 s with torch (MKL), ``X Xᵀ`` of 2000 × 10000 0.42 s (a symmetric rank-k
update) against 0.76 s, and ``eigh`` of 1600 × 1600 0.60 s against 0.74 s. numpy arrays share
the tensors' memory, so nothing is copied.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch

__all__ = ["matmul", "batched_matvec", "batched_vecmat", "outer_gram", "eigh", "blas_threads"]


def _on_cpu(*tensors: torch.Tensor) -> bool:
    return all(t.device.type == "cpu" and not t.requires_grad for t in tensors)


_CONTROLLER = None
# From this size on scipy's eigh is the faster on the CPU (below, their times are within 10 %).
_LAPACK_EIGH = 600


@contextlib.contextmanager
def blas_threads() -> Iterator[None]:
    """Let BLAS use as many threads as torch (``torch.set_num_threads``) while inside."""
    global _CONTROLLER
    if _CONTROLLER is None:
        import scipy.linalg  # noqa: F401 - load scipy's BLAS before the controller looks
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    with _CONTROLLER.limit(limits=torch.get_num_threads(), user_api="blas"):
        yield


def matmul(a: torch.Tensor, b: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """``a @ b`` for 2-d tensors of one dtype, written into ``out`` (contiguous) if given."""
    if not _on_cpu(a, b) or (out is not None and not _on_cpu(out)):
        return torch.matmul(a, b, out=out)
    if out is None:
        return torch.from_numpy(np.matmul(a.numpy(), b.numpy()))
    np.matmul(a.numpy(), b.numpy(), out=out.numpy())
    return out


def batched_matvec(M: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``M[b] @ x[b]`` for every ``b``: (batch × rows × cols) by (batch × cols) vectors.

    On the CPU numpy runs one BLAS product per matrix; torch's batched product of matrices by
    vectors there ran at under 1 GFLOP/s (float64, 10 × 500 × 500).
    """
    if not _on_cpu(M, x):
        return torch.bmm(M, x[:, :, None])[:, :, 0]
    return torch.from_numpy(np.matmul(M.numpy(), x.numpy()[:, :, None])[:, :, 0])


def batched_vecmat(x: torch.Tensor, M: torch.Tensor) -> torch.Tensor:
    """``x[b] @ M[b]`` for every ``b``: (batch × rows) vectors by (batch × rows × cols)."""
    if not _on_cpu(M, x):
        return torch.bmm(x[:, None, :], M)[:, 0]
    return torch.from_numpy(np.matmul(x.numpy()[:, None, :], M.numpy())[:, 0])


def outer_gram(X: torch.Tensor) -> torch.Tensor:
    """``X Xᵀ``, computed as a symmetric rank-k update on the CPU (half the products)."""
    if not _on_cpu(X):
        return X @ X.T
    values = np.ascontiguousarray(X.numpy())
    return torch.from_numpy(values @ values.T)  # numpy turns A @ A.T into BLAS syrk


def eigh(K: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix (divide and conquer)."""
    if not _on_cpu(K) or K.shape[0] < _LAPACK_EIGH:
        return torch.linalg.eigh(K)
    import scipy.linalg

    values, vectors = scipy.linalg.eigh(K.numpy(), driver="evd", check_finite=False)
    return torch.from_numpy(values), torch.from_numpy(vectors)
