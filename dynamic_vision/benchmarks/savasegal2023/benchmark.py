"""``Savasegal2023.cortex-ridge``: HRF-convolved ridge from model features to every prepared
vertex.

Runs of the same movie are repetitions (each film seen once per subject, so subjects are
the repetitions); continuous cross-validation with an HRF-length gap
(:class:`~dynamic_vision.benchmark_kinds.FMRIBenchmark`).
"""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import FMRIBenchmark
from dynamic_vision.core.benchmark import BenchmarkSpec


def cortex_ridge(spec: BenchmarkSpec) -> FMRIBenchmark:
    """The whole prepared cortical surface (``region == "cortex"``)."""
    return FMRIBenchmark(spec, response="hrf")
