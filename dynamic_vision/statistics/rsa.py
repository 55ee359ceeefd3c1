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

__all__ = ["rdm", "compare_rdms", "rsa_similarity", "rsa_on_subsets", "RSASimilarity",
           "DISTANCES", "COMPARISONS"]

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


class _SubsetRanks:
    """Average ranks of the entries of a vector restricted to any subset, without sorting again.

    The vector is sorted once; the ranks of a subset's entries among themselves follow from
    counting, in sorted order, the subset's entries in each group of equal values (ties get the
    mean of the ranks they span, as :func:`scipy.stats.rankdata` gives them).
    """

    def __init__(self, values: np.ndarray):
        self.order = np.argsort(values, kind="stable")
        ordered = values[self.order]
        self.group = np.concatenate([[0], np.cumsum(ordered[1:] != ordered[:-1])])
        self.n_groups = int(self.group[-1]) + 1

    def ranks(self, mask: np.ndarray) -> np.ndarray:
        """Ranks (1-based, averaged over ties) of ``values[mask]`` among themselves."""
        inside = mask[self.order]
        counts = np.bincount(self.group[inside], minlength=self.n_groups).astype(np.float64)
        before = np.cumsum(counts) - counts
        ranked = np.empty(len(mask))
        ranked[self.order] = before[self.group] + (counts[self.group] + 1.0) / 2.0
        return ranked[mask]


def rsa_on_subsets(X: np.ndarray, Y: np.ndarray, subsets: list[np.ndarray],
                   distance: str = "correlation", comparison: str = "spearman") -> list[float]:
    """``rsa_similarity(X[rows], Y[rows])`` for every ``rows`` of ``subsets``, at once.

    Both dissimilarities depend on one pair of stimuli at a time, so a subset's RDM is a block
    of the RDM of all stimuli: the two RDMs are computed once, and Spearman ranks of each
    subset's pairs come from one sort of each RDM (:class:`_SubsetRanks`). Kendall's tau-a
    compares each subset's blocks directly.
    """
    if comparison not in COMPARISONS:
        raise ValueError(f"Unknown RDM comparison {comparison!r}; use one of {COMPARISONS}.")
    a, b = rdm(X, distance), rdm(Y, distance)
    n = len(a)
    upper_i, upper_j = np.triu_indices(n, k=1)
    x, y = a[upper_i, upper_j], b[upper_i, upper_j]
    if comparison == "spearman":
        rank_x, rank_y = _SubsetRanks(x), _SubsetRanks(y)
    values = []
    for rows in subsets:
        rows = np.asarray(rows)
        if comparison == "kendall_tau_a" or len(np.unique(rows)) != len(rows):
            # tau-a compares pairs directly; repeated stimuli add pairs no block mask can hold
            values.append(compare_rdms(a[np.ix_(rows, rows)], b[np.ix_(rows, rows)], comparison))
            continue
        chosen = np.zeros(n, dtype=bool)
        chosen[rows] = True
        mask = chosen[upper_i] & chosen[upper_j]
        if comparison == "spearman":
            values.append(float(pearson_columns(rank_x.ranks(mask), rank_y.ranks(mask))))
        else:
            values.append(float(pearson_columns(x[mask], y[mask])))
    return values


class RSASimilarity:
    """``rsa_similarity`` with fixed options, which also compares many stimulus subsets at once.

    Parameters
    ----------
    distance, comparison
        As for :func:`rsa_similarity`.
    """

    def __init__(self, distance: str = "correlation", comparison: str = "spearman"):
        if distance not in DISTANCES:
            raise ValueError(f"Unknown RDM distance {distance!r}; use one of {DISTANCES}.")
        if comparison not in COMPARISONS:
            raise ValueError(f"Unknown RDM comparison {comparison!r}; use one of {COMPARISONS}.")
        self.distance, self.comparison = distance, comparison

    def __call__(self, X: np.ndarray, Y: np.ndarray) -> float:
        return rsa_similarity(X, Y, self.distance, self.comparison)

    def on_subsets(self, X: np.ndarray, Y: np.ndarray, subsets: list[np.ndarray]) -> list[float]:
        """The similarity on each subset of rows (see :func:`rsa_on_subsets`)."""
        return rsa_on_subsets(X, Y, subsets, self.distance, self.comparison)

    def __repr__(self) -> str:
        return f"RSASimilarity(distance={self.distance!r}, comparison={self.comparison!r})"
