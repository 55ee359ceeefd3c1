"""Linear kernels (Gram matrices) shared by every fold of a cross-validation.

When features outnumber training samples, ridge, PLS and least squares only need inner
products between samples. The Gram matrix of *all* samples is computed once; each fold's
training and test kernels are then sub-blocks of it, re-centred on that fold's training mean in
O(n²) instead of a new O(n² p) product per fold. :func:`cross_predict` does this for any
estimator with ``fit_kernel`` / ``predict_kernel`` and falls back to ``fit`` / ``predict``;
an estimator with ``cross_predict_kernel`` (PLS) fits every split at once from the shared Gram
matrix.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from dynamic_vision.statistics.linear_models.dense import blas_threads, outer_gram

__all__ = ["as_tensor", "resolve_dtype", "resolve_device", "TorchPrecision", "gram",
           "centered_gram", "center_kernel", "cross_predict", "thread_budget"]

# Below this many multiply-adds a fit is run on one CPU thread (see thread_budget).
_SMALL_WORK = 1e8


@contextlib.contextmanager
def thread_budget(X: Any, Y: Any = None) -> Iterator[None]:
    """Run small CPU problems on one thread, restoring torch's setting afterwards; BLAS
    (numpy/scipy, see :mod:`~dynamic_vision.statistics.linear_models.dense`) follows torch.

    For matrices of a few hundred rows, intra-op threads cost more in start-up and
    synchronisation than they save, and on a busy machine their spin-waiting makes a fit tens
    of times slower. Large problems keep every thread.
    """
    n_samples = np.shape(X)[0]
    n_columns = np.shape(X)[1] + (0 if Y is None else int(np.prod(np.shape(Y)[1:])))
    previous = torch.get_num_threads()
    small = float(n_samples) ** 2 * max(n_columns, 1) < _SMALL_WORK
    if small and previous > 1:
        torch.set_num_threads(1)
    try:
        with blas_threads():
            yield
    finally:
        if small and previous > 1:
            torch.set_num_threads(previous)


def resolve_dtype(dtype: str | torch.dtype) -> torch.dtype:
    """``"float32"``/``"float64"`` (or a torch dtype) as a torch dtype."""
    if isinstance(dtype, torch.dtype):
        return dtype
    try:
        return {"float32": torch.float32, "float64": torch.float64}[str(dtype)]
    except KeyError:
        raise ValueError(f"Unknown dtype {dtype!r}; use 'float32' or 'float64'.") from None


def resolve_device(device: str | torch.device | None) -> torch.device:
    """The requested device, or the GPU when one is present, else the CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class TorchPrecision:
    """What every torch estimator here resolves from its ``dtype`` and ``device`` parameters."""

    dtype: str
    device: str | None

    @property
    def _dtype(self) -> torch.dtype:
        return resolve_dtype(self.dtype)

    @property
    def _device(self) -> torch.device:
        return resolve_device(self.device)


def as_tensor(values: Any, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """A 2-d tensor (samples × columns) on ``device`` in ``dtype``."""
    tensor = torch.as_tensor(np.asarray(values) if not isinstance(values, torch.Tensor)
                             else values).to(device=device, dtype=dtype)
    if tensor.ndim == 1:
        tensor = tensor[:, None]
    if tensor.ndim != 2:
        raise ValueError(f"Expected a 2-d array (samples × features), got shape "
                         f"{tuple(tensor.shape)}.")
    return tensor


def gram(X: torch.Tensor) -> torch.Tensor:
    """``X0 X0ᵀ`` with ``X0`` centred on the mean of all rows.

    Removing the grand mean first keeps float32 kernels accurate when features have a large
    common offset (e.g. ReLU activations); per-fold centring then only removes the small
    difference between a fold's mean and the grand mean.
    """
    return outer_gram(X - X.mean(0, keepdim=True))


def centered_gram(X: Any, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """:func:`gram` of ``X`` in ``dtype`` on ``device``.

    For a numpy array on the CPU, the mean is taken in the array's own precision and subtracted
    while converting to ``dtype``: one pass over ``X`` and one copy, rather than a converted
    copy and a centred copy of it.
    """
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind == "f" and device.type == "cpu":
        values = np.empty(X.shape, dtype=torch.empty(0, dtype=dtype).numpy().dtype)
        np.subtract(X, X.mean(0), out=values, casting="unsafe")
        return outer_gram(torch.from_numpy(values))
    return gram(as_tensor(X, dtype, device))


def center_kernel(K_train: torch.Tensor, K_test: torch.Tensor | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Centre a training kernel, and a test-by-train kernel, on the training feature mean.

    With ``m`` the mean of the training rows, ``(x_i - m)·(x_j - m) = K_ij - r_i - r_j + s``,
    where ``r`` are the training kernel's row means and ``s`` its grand mean.
    """
    row_mean = K_train.mean(1)
    grand_mean = row_mean.mean()
    # r_i + r_j is exactly symmetric, so the centred kernel is too (as eigh wants).
    centered = K_train - (row_mean[:, None] + row_mean[None, :])
    centered += grand_mean
    if K_test is None:
        return centered, None
    test = K_test - K_test.mean(1, keepdim=True) - row_mean[None, :] + grand_mean
    return centered, test


def _supports_kernel(estimator: Any, n_features: int, n_train: int) -> bool:
    return (hasattr(estimator, "fit_kernel") and hasattr(estimator, "predict_kernel")
            and n_features > n_train)


def cross_predict(estimator: Any, X: np.ndarray, Y: np.ndarray,
                  splits: Sequence[tuple[np.ndarray, np.ndarray]], *, progress: bool = False,
                  description: str = "cross-validation") -> tuple[list[np.ndarray], list[Any]]:
    """Held-out predictions of ``estimator`` for each (train, test) split.

    Parameters
    ----------
    estimator
        An unfitted estimator (``fit``/``predict``); copied for every split.
    X, Y
        Samples × features and samples × targets.
    splits
        ``[(train_index, test_index), ...]``.
    progress
        Show a progress bar over splits.

    Returns
    -------
    predictions, fitted
        ``predictions[k]`` has shape ``(len(test_k), n_targets)``; ``fitted[k]`` is the
        estimator fitted on split ``k`` (with its learned attributes, e.g. ``alphas_``).
    """
    n_train_max = max(len(train) for train, _ in splits)
    with thread_budget(X, Y):
        return _cross_predict(estimator, X, Y, splits, n_train_max, progress, description)


def _cross_predict(estimator, X, Y, splits, n_train_max, progress, description):
    predictions, fitted = [], []
    use_kernel = _supports_kernel(estimator, X.shape[1], n_train_max)
    K = None
    if use_kernel:
        dtype = resolve_dtype(getattr(estimator, "dtype", "float64"))
        device = resolve_device(getattr(estimator, "device", None))
        if getattr(estimator, "fit_intercept", True):
            K = centered_gram(X, dtype, device)
        else:
            K = outer_gram(as_tensor(X, dtype, device))
        if hasattr(estimator, "cross_predict_kernel"):  # all splits at once, where it can
            together = estimator.cross_predict_kernel(K, Y, splits)
            if together is not None:
                return together
    for train, test in tqdm(splits, desc=description, disable=not progress, leave=False):
        model = copy.deepcopy(estimator)
        if K is not None:
            train_t = torch.as_tensor(np.asarray(train), device=K.device)
            test_t = torch.as_tensor(np.asarray(test), device=K.device)
            K_train = K[train_t][:, train_t]
            K_test = K[test_t][:, train_t]
            if getattr(model, "fit_intercept", True):
                K_train, K_test = center_kernel(K_train, K_test)
            model.fit_kernel(K_train, Y[train])
            predictions.append(model.predict_kernel(K_test))
        else:
            model.fit(X[train], Y[train])
            predictions.append(np.asarray(model.predict(X[test])))
        fitted.append(model)
    return predictions, fitted
