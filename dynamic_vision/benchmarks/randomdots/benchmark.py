"""The RandomDots direction-discrimination benchmark: a logistic probe decodes each clip's
motion direction (8 classes) from the model's activations; the score is broken down by
coherence."""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import TaskBenchmark
from dynamic_vision.core.benchmark import BenchmarkSpec


def build(spec: BenchmarkSpec) -> TaskBenchmark:
    """The benchmark (its clips are generated on first use by the SimMotion data plugin)."""
    return TaskBenchmark(spec, label="label", kind=spec.extra["task"],
                         condition=spec.extra["condition"], n_splits=5, held_out_fraction=0.5,
                         split_seed=0)
