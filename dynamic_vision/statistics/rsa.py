"""Representational dissimilarity matrices and their comparison (the arithmetic of RSA).

An RDM holds the dissimilarity of every pair of stimuli: ``"correlation"`` distance
(1 − Pearson r between the two stimuli's response patterns) or ``"euclidean"``. Two RDMs are
compared on their upper triangles (diagonal excluded) with ``"spearman"``, ``"kendall_tau_a"``
(recommended when a model RDM has ties; Nili et al., 2014) or ``"pearson"``.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist, squareform

from dynamic_vision.statistics.correlation import kendall_tau_a, pearson_columns, spearman_columns

__all__ = ["rdm", "compare_rdms", "rsa_similarity", "DISTANCES", "COMPARISONS"]

DISTANCES = ("correlation", "euclidean")
COMPARISONS = ("spearman", "kendall_tau_a", "pearson")


def rdm(values: np.ndarray, distance: str = "correlation") -> np.ndarray:
    """Stimulus × stimulus dissimilarity matrix of a stimulus × feature matrix."""
    if distance not in DISTANCES:
        raise ValueError(f"Unknown RDM distance {distance!r}; use one of {DISTANCES}.")
    values = np.asarray(values, dtype=np.float64)
    if distance == "correlation":
        centered = values - values.mean(1, keepdims=True)
        norms = np.linalg.norm(centered, axis=1)
        if np.any(norms == 0):
            raise ValueError(f"{int((norms == 0).sum())} stimuli have a constant response "
                             f"pattern; their correlation distance is undefined. Use "
                             f"distance='euclidean'.")
        unit = centered / norms[:, None]
        return np.clip(1.0 - unit @ unit.T, 0.0, 2.0) * (1 - np.eye(len(values)))
    return squareform(pdist(values, "euclidean"))


def _upper(matrix: np.ndarray) -> np.ndarray:
    return matrix[np.triu_indices(matrix.shape[0], k=1)]


def compare_rdms(a: np.ndarray, b: np.ndarray, comparison: str = "spearman") -> float:
    """Similarity of two RDMs over their upper triangles."""
    x, y = _upper(a), _upper(b)
    if comparison == "spearman":
        return float(spearman_columns(x, y))
    if comparison == "pearson":
        return float(pearson_columns(x, y))
    if comparison == "kendall_tau_a":
        return kendall_tau_a(x, y)
    raise ValueError(f"Unknown RDM comparison {comparison!r}; use one of {COMPARISONS}.")


def rsa_similarity(X: np.ndarray, Y: np.ndarray, distance: str = "correlation",
                   comparison: str = "spearman") -> float:
    """Compare the RDMs of two stimulus-aligned representations."""
    return compare_rdms(rdm(X, distance), rdm(Y, distance), comparison)
