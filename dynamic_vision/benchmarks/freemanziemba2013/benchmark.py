"""FreemanZiemba2013 electrode benchmarks on Brain-Score's public V1 and V2 recordings.

The textures are shown as one-frame clips for 100 ms at 4 degrees; the recordings (20
repetitions, 1 ms bins over 0-300 ms) are averaged into the benchmark's bins first.

- ``-pls``: Brain-Score's procedure, exactly (brainscore-vision 2.4.2): one 50-200 ms bin,
  ``brainscore.pls`` over 10 shuffle splits of all images (90 % train, stratified by
  ``texture_type``, seed 1), Brain-Score's internal-consistency ceiling, the
  ``explained_variance`` convention, 20 trials per image, no layer selection.
- ``-ridge``: this library's default: three 50 ms bins over 50-200 ms, ridge on the held-out
  half of the images (stratified by ``texture_type``), layer chosen on the public half, the
  split-half ceiling and the ``disattenuated`` convention, one trial per image (deterministic
  models).
"""

from __future__ import annotations

import functools

from dynamic_vision.benchmark_kinds import NeuralBenchmark
from dynamic_vision.core.benchmark import BenchmarkSpec

NUMBER_OF_TRIALS = 20
BRAINSCORE_BINS = [(50.0, 200.0)]
RIDGE_BINS = [(50.0, 100.0), (100.0, 150.0), (150.0, 200.0)]
STRATIFY = "texture_type"


def brainscore_pls(source, target):
    """Brain-Score's exact PLS predictivity (``brainscore.pls``), its splits stratified by
    texture type as Brain-Score's FreemanZiemba2013 benchmarks do; loaded on the first call
    so that constructing the benchmark imports no solver."""
    return _brainscore_pls()(source, target)


@functools.cache
def _brainscore_pls():
    from dynamic_vision.core.registry import metric_registry

    return metric_registry.load("brainscore.pls", stratify_coord=STRATIFY)


def _recordings(spec: BenchmarkSpec, bins: list[tuple[float, float]]) -> functools.partial:
    from dynamic_vision.io.brainio import load_recordings

    return functools.partial(load_recordings, spec.dataset, spec.stimulus_set, bins)


def pls(spec: BenchmarkSpec) -> NeuralBenchmark:
    """``FreemanZiemba2013.{V1,V2}-pls``: Brain-Score's PLS predictivity, exactly."""
    from dynamic_vision.statistics.brainscore.ceilings import internal_consistency

    return NeuralBenchmark(spec, assembly=_recordings(spec, BRAINSCORE_BINS),
                           metric=brainscore_pls, ceiling=internal_consistency,
                           held_out_fraction=None, select_layers=False,
                           number_of_trials=NUMBER_OF_TRIALS, n_splits=None, min_ceiling=0.0)


def ridge(spec: BenchmarkSpec) -> NeuralBenchmark:
    """``FreemanZiemba2013.{V1,V2}-ridge``: ridge predictivity in 50 ms bins."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    return NeuralBenchmark(spec, assembly=_recordings(spec, RIDGE_BINS),
                           ceiling=split_half_ceiling, held_out_fraction=0.5,
                           stratify=STRATIFY, split_seed=0)
