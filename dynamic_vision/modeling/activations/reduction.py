"""Width reduction of layer activations while they stream out of the model.

A layer's activations at one time step are a vector of ``p`` features (channels × height ×
width). Storing ``stimuli × steps × p`` numbers is what makes naive extraction run out of memory,
so the engine reduces each batch to ``k`` features per layer and time step as soon as the layer
has run.

- ``"random_projection"`` (default): a fixed-seed *very sparse* random projection (Li, Hastie &
  Church 2006, after Achlioptas 2003). Entries of the ``p × k`` matrix are ``±sqrt(s / k)`` with
  probability ``1 / (2 s)`` each and 0 otherwise, ``s = sqrt(p)``, so distances are preserved in
  expectation (Johnson–Lindenstrauss) while only ``k sqrt(p)`` entries exist. The non-zeros are
  drawn by geometric gaps, block by block, and kept as a sparse CSR matrix, so a dense
  ``p × k`` matrix is never built. The matrix depends only on ``(seed, p, k)`` and is built once
  per process.
- ``"pca"``: principal components fitted on a documented subset of the stimuli (the first
  ``fit_samples`` time steps, in stimulus-set order; see :class:`PCAReduction`).
- ``None``: no reduction (full width; for small layers and for exactness tests).

A layer with ``p <= k`` features is kept as is by both reductions.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any

import numpy as np
import torch

__all__ = ["REDUCTIONS", "Reduction", "NoReduction", "SparseRandomProjection", "PCAReduction",
           "make_reducer", "sparse_projection_entries"]

REDUCTIONS = ("random_projection", "pca", None)


class Reduction:
    """Base class: maps ``(n, p)`` features of a layer to ``(n, k)``."""

    #: True when :meth:`collect` / :meth:`finish_fit` must see data before :meth:`transform`.
    requires_fit = False

    def settings(self) -> dict[str, Any]:
        """JSON-friendly settings (part of activation-cache keys)."""
        raise NotImplementedError

    def transform(self, layer: str, features: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class NoReduction(Reduction):
    """Keep every feature."""

    def settings(self) -> dict[str, Any]:
        return {"method": None}

    def transform(self, layer: str, features: torch.Tensor) -> torch.Tensor:
        return features


def sparse_projection_entries(n_features: int, n_components: int, seed: int,
                              block: int = 1 << 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of the very sparse ``(n_features, n_components)`` projection.

    Non-zero positions in the row-major flattened matrix are a Bernoulli process of density
    ``1 / sqrt(n_features)``, drawn as cumulative geometric gaps ``block`` at a time.
    """
    p, k = int(n_features), int(n_components)
    s = math.sqrt(p)
    density = min(1.0, 1.0 / s)
    rng = np.random.default_rng([int(seed), p, k])
    total = p * k
    pieces, last = [], -1
    while True:
        flat = last + np.cumsum(rng.geometric(density, size=block))
        inside = flat[flat < total]
        pieces.append(inside)
        if inside.size < block:
            break
        last = int(flat[-1])
    flat = np.concatenate(pieces)
    signs = rng.integers(0, 2, size=flat.size).astype(np.float32) * 2 - 1
    values = signs * np.float32(math.sqrt(s / k))
    return flat // k, flat % k, values


@functools.lru_cache(maxsize=16)
def _projection_csr(n_features: int, n_components: int, seed: int) -> torch.Tensor:
    """The transposed projection ``R.T`` as a CPU CSR tensor of shape ``(k, p)``.

    CSR of ``R.T`` times dense ``X.T`` is the fastest product torch offers on CPU for these
    densities, even for small ``p`` (measured faster than a dense matmul at ``p`` = 3000).
    """
    rows, cols, values = sparse_projection_entries(n_features, n_components, seed)
    order = np.argsort(cols, kind="stable")  # entries come sorted by row; CSR of R.T wants cols
    crow = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n_components))])
    with warnings.catch_warnings():  # CSR support is flagged "beta"; sparse.mm is stable
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(torch.from_numpy(crow), torch.from_numpy(rows[order]),
                                       torch.from_numpy(values[order]),
                                       (n_components, n_features), check_invariants=False)


class SparseRandomProjection(Reduction):
    """Fixed-seed very sparse random projection to ``n_components`` features.

    Parameters
    ----------
    n_components
        ``k``, features kept per layer and time step.
    seed
        Seed of the projection matrix (the same for every layer of equal width).
    """

    def __init__(self, n_components: int = 1000, seed: int = 0):
        if int(n_components) < 1:
            raise ValueError(f"n_components must be a positive integer, got {n_components!r}.")
        self.n_components = int(n_components)
        self.seed = int(seed)
        self._matrices: dict[tuple[int, str], torch.Tensor] = {}

    def settings(self) -> dict[str, Any]:
        return {"method": "random_projection", "n_components": self.n_components,
                "seed": self.seed, "scheme": "very_sparse_li2006"}

    def matrix(self, n_features: int, device: torch.device | str = "cpu") -> torch.Tensor:
        """The transposed projection ``R.T``, sparse CSR ``(k, p)``, on ``device``."""
        key = (int(n_features), str(device))
        if key not in self._matrices:
            self._matrices[key] = _projection_csr(int(n_features), self.n_components,
                                                  self.seed).to(device)
        return self._matrices[key]

    def transform(self, layer: str, features: torch.Tensor) -> torch.Tensor:
        n_features = features.shape[1]
        if n_features <= self.n_components:
            return features
        matrix = self.matrix(n_features, features.device)
        return torch.sparse.mm(matrix, features.to(torch.float32).T).T


class PCAReduction(Reduction):
    """Principal components of each layer, fitted on the first time steps of the stimulus set.

    The fit uses the first ``fit_samples`` time steps met in stimulus-set order (all steps of
    the first stimuli); these are held at full width while fitting, so keep ``fit_samples``
    moderate for wide layers. ``k = min(n_components, rows seen)``. Components are computed
    with an SVD of the centred rows (float64) and signs fixed so that each component's largest
    loading is positive, which makes the result deterministic.
    """

    requires_fit = True

    def __init__(self, n_components: int = 1000, fit_samples: int = 1000):
        self.n_components = int(n_components)
        self.fit_samples = int(fit_samples)
        self._rows: dict[str, list[torch.Tensor]] = {}
        self._fitted: dict[str, tuple[torch.Tensor, torch.Tensor] | None] = {}

    def settings(self) -> dict[str, Any]:
        return {"method": "pca", "n_components": self.n_components,
                "fit_samples": self.fit_samples}

    def reset(self) -> None:
        """Forget collected rows and fitted components."""
        self._rows.clear()
        self._fitted.clear()

    def rows_seen(self, layer: str) -> int:
        return sum(rows.shape[0] for rows in self._rows.get(layer, []))

    def collect(self, layer: str, features: torch.Tensor) -> None:
        """Keep rows of ``features`` until ``fit_samples`` rows of ``layer`` were seen."""
        room = self.fit_samples - self.rows_seen(layer)
        if room > 0:
            self._rows.setdefault(layer, []).append(features[:room].to("cpu", torch.float64))

    def needs_rows(self) -> bool:
        return not self._rows or any(self.rows_seen(layer) < self.fit_samples
                                     for layer in self._rows)

    def finish_fit(self) -> None:
        """Compute the components from the collected rows."""
        for layer, rows in self._rows.items():
            data = torch.cat(rows)
            if data.shape[1] <= self.n_components:
                self._fitted[layer] = None
                continue
            mean = data.mean(dim=0)
            _, _, vh = torch.linalg.svd(data - mean, full_matrices=False)
            components = vh[: min(self.n_components, vh.shape[0])]
            signs = torch.sign(components[torch.arange(components.shape[0]),
                                          components.abs().argmax(dim=1)])
            self._fitted[layer] = (mean.float(), (components * signs[:, None]).T.float())
        self._rows.clear()

    @property
    def fitted(self) -> bool:
        return bool(self._fitted)

    def transform(self, layer: str, features: torch.Tensor) -> torch.Tensor:
        if layer not in self._fitted:
            raise RuntimeError(f"PCA of layer '{layer}' is not fitted; the engine fits it on the "
                               f"first {self.fit_samples} time steps before extracting.")
        fitted = self._fitted[layer]
        if fitted is None:
            return features
        mean, components = fitted
        return (features.float() - mean.to(features.device)) @ components.to(features.device)


def make_reducer(reduction: str | Reduction | None, n_components: int = 1000,
                 seed: int = 0) -> Reduction:
    """Build a reduction from its name (``"random_projection"``, ``"pca"``, ``None``)."""
    if isinstance(reduction, Reduction):
        return reduction
    if reduction is None or reduction == "none":
        return NoReduction()
    if reduction == "random_projection":
        return SparseRandomProjection(n_components, seed)
    if reduction == "pca":
        return PCAReduction(n_components)
    raise ValueError(f"Unknown reduction {reduction!r}; use one of {REDUCTIONS} or pass a "
                     f"dynamic_vision.modeling.activations.reduction.Reduction object.")
