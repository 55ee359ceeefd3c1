"""``McMahon2023.cortex-ridge``: ridge to every prepared voxel's betas, on the 50 test videos.

The layer is chosen on half of the test videos and the score computed on the other half; the
ceiling is split-half over the subjects' even/odd-run repetitions.
"""

from __future__ import annotations

import functools
from typing import Any

from dynamic_vision.benchmark_kinds import NeuralBenchmark
from dynamic_vision.core.benchmark import BenchmarkSpec


def _test_videos(stimulus_set: str) -> Any:
    from dynamic_vision.core.registry import stimulus_set_registry

    stimuli = stimulus_set_registry.load(stimulus_set)
    return stimuli.subset(stimuli.loc[stimuli["split"] == "test", "stimulus_id"].tolist())


def cortex_ridge(spec: BenchmarkSpec) -> NeuralBenchmark:
    """Every prepared voxel labelled ``region == "cortex"``."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    return NeuralBenchmark(spec, stimuli=functools.partial(_test_videos, spec.stimulus_set),
                           ceiling=split_half_ceiling, held_out_fraction=0.5)
