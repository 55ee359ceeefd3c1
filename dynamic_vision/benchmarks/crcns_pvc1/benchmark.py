"""``CRCNS.pvc1.V1-ridge``: ridge to macaque V1 spike counts per time bin of each segment.

Half of the 120 segments are held out (stratified by source movie); layers are chosen on the
other half; ceilings are split-half over repeats, per time bin.
"""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import NeuralBenchmark


def v1_ridge() -> NeuralBenchmark:
    """V1 ridge on the prepared recordings."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling
    from dynamic_vision.data.crcns_pvc1 import BIBTEX

    return NeuralBenchmark("CRCNS.pvc1.V1-ridge", assembly="CRCNS.pvc1.V1",
                           stimuli="CRCNS.pvc1", region="V1", metric="ridge",
                           ceiling=split_half_ceiling, held_out_fraction=0.5, stratify="movie",
                           visual_degrees=20.0, version=1, bibtex=BIBTEX)
