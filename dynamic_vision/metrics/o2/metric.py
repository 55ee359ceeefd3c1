"""Factory of the ``o2`` metric (see :mod:`dynamic_vision.metric_kinds.behavior`)."""

from __future__ import annotations

from dynamic_vision.metric_kinds.behavior import BehavioralMetric

__all__ = ["build"]


def build(n_bootstrap: int = 1000, n_permutations: int = 999, seed: int = 0) -> BehavioralMetric:
    """Object-by-object d' consistency."""
    return BehavioralMetric("o2", n_bootstrap=n_bootstrap,
                            n_permutations=n_permutations, seed=seed)
