"""Benchmark kinds: what a benchmark plugin instantiates with its declaration, data, metric
and ceiling.

- :class:`NeuralBenchmark` — electrodes: recordings in time bins, compared stimulus by stimulus;
- :class:`FMRIBenchmark` — continuous movies, HRF, contiguous-chunk cross-validation;
- :class:`TaskBenchmark` — engineering tasks: a linear probe decodes a label from activations;
- :class:`BehaviorBenchmark` — a model performs the subjects' task; choices are compared.

Every kind loads its data lazily, declares a public/held-out split of its stimuli where tuning
is possible (:func:`declare_split`), and caches its ceiling on disk (:func:`cached_ceiling`).
The procedures are described in ``docs/benchmarks.md``. The benchmark-authoring API (names
below, with the declaration and the ceiling conventions) is imported on first use.
"""

from dynamic_vision.core.exports import lazy_exports

_NAMES = {
    "Benchmark": "dynamic_vision.core.benchmark",
    "BenchmarkSpec": "dynamic_vision.core.benchmark",
    "register_benchmark": "dynamic_vision.core.benchmark",
    "Score": "dynamic_vision.core.scores",
    "CEILING_CONVENTIONS": "dynamic_vision.core.scores",
    "apply_ceiling": "dynamic_vision.core.scores",
    "aggregate_ceilings": "dynamic_vision.core.scores",
    "DEFAULT_CONVENTION": "dynamic_vision.core.scores",
    "NeuralBenchmark": "dynamic_vision.benchmark_kinds.neural",
    "FMRIBenchmark": "dynamic_vision.benchmark_kinds.fmri",
    "TaskBenchmark": "dynamic_vision.benchmark_kinds.task",
    "BehaviorBenchmark": "dynamic_vision.benchmark_kinds.behavior",
    "StimulusSplit": "dynamic_vision.benchmark_kinds.stimulus_split",
    "PartitionedStimuli": "dynamic_vision.benchmark_kinds.stimulus_split",
    "declare_split": "dynamic_vision.benchmark_kinds.stimulus_split",
    "cached_ceiling": "dynamic_vision.benchmark_kinds.ceiling_cache",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
