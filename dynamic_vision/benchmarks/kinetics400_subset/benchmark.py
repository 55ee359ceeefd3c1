"""``Kinetics400Subset.action-logistic``: linear decoding of the action class."""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import TaskBenchmark
from dynamic_vision.core.benchmark import BenchmarkSpec


def action_logistic(spec: BenchmarkSpec) -> TaskBenchmark:
    """Half of the clips (stratified by class) held out; accuracy of a logistic probe."""
    return TaskBenchmark(spec, label="label", kind="classification", held_out_fraction=0.5)
