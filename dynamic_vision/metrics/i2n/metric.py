"""Factories of the ``i2n`` and ``i1n`` metrics (see :mod:`dynamic_vision.metric_kinds.behavior`)."""

from __future__ import annotations

from dynamic_vision.metric_kinds.behavior import BehavioralMetric

__all__ = ["build_i2n", "build_i1n"]


def build_i2n(n_bootstrap: int = 1000, n_permutations: int = 999, seed: int = 0) -> BehavioralMetric:
    """Image-by-distractor normalised d' consistency."""
    return BehavioralMetric("i2n", n_bootstrap=n_bootstrap,
                            n_permutations=n_permutations, seed=seed)


def build_i1n(n_bootstrap: int = 1000, n_permutations: int = 999, seed: int = 0) -> BehavioralMetric:
    """Per-image normalised d' consistency."""
    return BehavioralMetric("i1n", n_bootstrap=n_bootstrap,
                            n_permutations=n_permutations, seed=seed)
