"""``CRCNS.pvc1.V1-ridge``: ridge to macaque V1 spike counts per time bin of each segment.

Half of the 120 segments are held out (stratified by source movie); layers are chosen on the
other half; ceilings are split-half over repeats, per time bin.
"""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import NeuralBenchmark
from dynamic_vision.core.benchmark import BenchmarkSpec


def v1_ridge(spec: BenchmarkSpec) -> NeuralBenchmark:
    """V1 ridge on the prepared recordings."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    return NeuralBenchmark(spec, ceiling=split_half_ceiling, held_out_fraction=0.5,
                           stratify="movie")
