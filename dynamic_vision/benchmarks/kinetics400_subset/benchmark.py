"""``Kinetics400Subset.action-logistic``: linear decoding of the action class."""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import TaskBenchmark


def action_logistic() -> TaskBenchmark:
    """Half of the clips (stratified by class) held out; accuracy of a logistic probe."""
    from dynamic_vision.data.kinetics400_subset import BIBTEX

    return TaskBenchmark("Kinetics400Subset.action-logistic", stimuli="Kinetics400Subset",
                         label="label", kind="classification", region="IT",
                         held_out_fraction=0.5, visual_degrees=8.0, version=1, bibtex=BIBTEX)
