"""MajajHong2015 electrode benchmarks on Brain-Score's public V4 and IT recordings.

The HvM images are shown as one-frame clips for 100 ms at 8 degrees; the recordings are one
70-170 ms bin, about 46 repetitions per image.

- ``-pls``: Brain-Score's procedure, exactly (brainscore-vision 2.4.2): ``brainscore.pls``
  (scikit-learn's PLSRegression with 25 components and its NIPALS defaults, 10 shuffle splits
  of all images, 90 % train, stratified by ``object_name``, seed 1), Brain-Score's
  internal-consistency ceiling (repetition halves shared by all images), the
  ``explained_variance`` convention (``raw² / ceiling``, raw error copied), 50 trials per
  image. No stimulus is held out of layer choice, so this variant does not select layers.
- ``-ridge``: this library's default: ridge on the held-out half of the images (stratified by
  ``object_name``), the layer chosen on the public half, the split-half ceiling and the
  ``disattenuated`` convention (``raw / sqrt(ceiling)``), one trial per image (the library's
  models are deterministic; 50 copies of every layer's activations would only cost memory).
"""

from __future__ import annotations

import functools

from dynamic_vision.benchmark_kinds import NeuralBenchmark
from dynamic_vision.core.benchmark import BenchmarkSpec

NUMBER_OF_TRIALS = 50


def _recordings(spec: BenchmarkSpec) -> functools.partial:
    from dynamic_vision.io.brainio import load_recordings

    return functools.partial(load_recordings, spec.dataset, spec.stimulus_set)


def pls(spec: BenchmarkSpec) -> NeuralBenchmark:
    """``MajajHong2015.{V4,IT}-pls``: Brain-Score's PLS predictivity, exactly."""
    from dynamic_vision.statistics.brainscore.ceilings import internal_consistency

    return NeuralBenchmark(spec, assembly=_recordings(spec), ceiling=internal_consistency,
                           held_out_fraction=None, select_layers=False,
                           number_of_trials=NUMBER_OF_TRIALS, n_splits=None, min_ceiling=0.0)


def ridge(spec: BenchmarkSpec) -> NeuralBenchmark:
    """``MajajHong2015.{V4,IT}-ridge``: ridge predictivity on held-out images."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    return NeuralBenchmark(spec, assembly=_recordings(spec), ceiling=split_half_ceiling,
                           held_out_fraction=0.5, stratify="object_name", split_seed=0)
