"""Benchmark kinds: what a benchmark plugin instantiates with its data, metric and ceiling.

- :class:`NeuralBenchmark` — electrodes: recordings in time bins, compared stimulus by stimulus;
- :class:`FMRIBenchmark` — continuous movies, HRF, contiguous-chunk cross-validation;
- :class:`TaskBenchmark` — engineering tasks: a linear probe decodes a label from activations;
- :class:`BehaviorBenchmark` — a model performs the subjects' task; choices are compared.

Every kind loads its data lazily, declares a public/held-out split of its stimuli where tuning
is possible (:func:`declare_split`), and caches its ceiling on disk (:func:`cached_ceiling`).
The procedures are described in ``docs/benchmarks.md``.
"""

from __future__ import annotations

from dynamic_vision.benchmark_kinds.behavior import BehaviorBenchmark
from dynamic_vision.benchmark_kinds.ceiling_cache import cached_ceiling
from dynamic_vision.benchmark_kinds.fmri import FMRIBenchmark
from dynamic_vision.benchmark_kinds.neural import NeuralBenchmark
from dynamic_vision.benchmark_kinds.stimulus_split import (
    PartitionedStimuli,
    StimulusSplit,
    declare_split,
)
from dynamic_vision.benchmark_kinds.task import TaskBenchmark

__all__ = ["NeuralBenchmark", "FMRIBenchmark", "TaskBenchmark", "BehaviorBenchmark",
           "StimulusSplit", "PartitionedStimuli", "declare_split", "cached_ceiling"]
