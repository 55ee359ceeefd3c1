"""The ``rsa`` metric: representational similarity of model and recordings on stimulus subsets.

The RDM arithmetic (distances, comparisons) is :mod:`dynamic_vision.statistics.rsa`; the
default compares correlation-distance RDMs by Spearman r.
"""

from __future__ import annotations

from dynamic_vision.metric_kinds.representational import RepresentationalMetric
from dynamic_vision.statistics.rsa import (
    COMPARISONS,
    DISTANCES,
    RSASimilarity,
    compare_rdms,
    rdm,
    rsa_similarity,
)
from dynamic_vision.statistics.splits import Splitter

__all__ = ["rdm", "compare_rdms", "rsa_similarity", "build", "DISTANCES", "COMPARISONS"]


def build(distance: str = "correlation", comparison: str = "spearman",
          splits: Splitter | None = None) -> RepresentationalMetric:
    """The RSA metric (see :class:`~dynamic_vision.metric_kinds.representational.RepresentationalMetric`
    for the procedure).

    Parameters
    ----------
    distance
        RDM dissimilarity: ``"correlation"`` or ``"euclidean"``.
    comparison
        RDM comparison: ``"spearman"``, ``"kendall_tau_a"`` or ``"pearson"``.
    splits
        Stimulus subsets (their training parts); default 10 × 90 %.
    """
    return RepresentationalMetric(RSASimilarity(distance, comparison), splits)
