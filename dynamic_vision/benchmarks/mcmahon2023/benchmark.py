"""``McMahon2023.cortex-ridge``: ridge to every prepared voxel's betas, on the 50 test videos.

The layer is chosen on half of the test videos and the score computed on the other half; the
ceiling is split-half over the subjects' even/odd-run repetitions.
"""

from __future__ import annotations

import functools
from typing import Any

from dynamic_vision.benchmark_kinds import NeuralBenchmark


def _test_videos() -> Any:
    from dynamic_vision.core.registry import stimulus_set_registry

    stimuli = stimulus_set_registry.load("McMahon2023")
    return stimuli.subset(stimuli.loc[stimuli["split"] == "test", "stimulus_id"].tolist())


def cortex_ridge() -> NeuralBenchmark:
    """Every prepared voxel labelled ``region == "cortex"``."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling
    from dynamic_vision.data.mcmahon2023 import BIBTEX

    return NeuralBenchmark("McMahon2023.cortex-ridge", assembly="McMahon2023.fMRI",
                           stimuli=functools.partial(_test_videos), region="cortex",
                           metric="ridge", ceiling=split_half_ceiling, held_out_fraction=0.5,
                           visual_degrees=8.0, version=1, bibtex=BIBTEX)
