"""``RandomDots.direction-logistic``: decode the motion direction of random-dot clips.

A linear (logistic) probe reads the direction out of the model's MT activations, averaged over
the clip, on the held-out half of the clips; the score is its accuracy (chance: 1/8), also
reported per coherence. A model that sees motion rises from chance at 0 % coherence towards 1.
"""

from __future__ import annotations

from dynamic_vision.benchmark_kinds import TaskBenchmark


def build() -> TaskBenchmark:
    """The benchmark (data are generated on first use, see ``dynamic_vision.data.simmotion``)."""
    from dynamic_vision.data.simmotion import BIBTEX, build as simmotion

    return TaskBenchmark(
        "RandomDots.direction-logistic",
        stimuli=simmotion.load_random_dots,
        label="label", kind="classification", condition="coherence", region="MT",
        n_splits=5, held_out_fraction=0.5, split_seed=0, visual_degrees=8.0, version=1,
        bibtex=BIBTEX)
