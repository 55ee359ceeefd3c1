"""MajajHong2015 electrode benchmarks on Brain-Score's public V4 and IT recordings.

The HvM images are shown as one-frame clips for 100 ms at 8 degrees; the recordings are one
70-170 ms bin, about 46 repetitions per image.

- ``-pls``: Brain-Score's procedure: ``pls-brainscore`` (25 components, 10 shuffle splits of
  all images, 90 % train, stratified by ``object_name``, seed 1), split-half ceiling,
  ``explained_variance`` convention, 50 trials per image. No stimulus is held out of layer
  choice, so this variant does not select layers.
- ``-ridge``: this library's default: ridge on the held-out half of the images (stratified by
  ``object_name``), the layer chosen on the public half, ``ratio`` convention, one trial per
  image (the library's models are deterministic; 50 copies of every layer's activations would
  only cost memory).
"""

from __future__ import annotations

import functools

from dynamic_vision.benchmark_kinds import NeuralBenchmark

DATASET = "MajajHong2015.public"
STIMULUS_SET = "hvm-public"
VISUAL_DEGREES = 8.0
NUMBER_OF_TRIALS = 50


def _bibtex() -> str:
    from dynamic_vision.data.majajhong2015 import BIBTEX

    return BIBTEX


def _benchmark(region: str, variant: str) -> NeuralBenchmark:
    from dynamic_vision.io.brainio import load_recordings
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    recordings = functools.partial(load_recordings, DATASET, STIMULUS_SET)
    common = dict(assembly=recordings, stimuli=STIMULUS_SET, region=region,
                  ceiling=split_half_ceiling, visual_degrees=VISUAL_DEGREES,
                  version=1, bibtex=_bibtex())
    if variant == "pls":
        return NeuralBenchmark(f"MajajHong2015.{region}-pls", metric="pls-brainscore",
                               held_out_fraction=None, select_layers=False,
                               number_of_trials=NUMBER_OF_TRIALS, n_splits=None,
                               min_ceiling=0.0,
                               ceiling_convention="explained_variance", **common)
    return NeuralBenchmark(f"MajajHong2015.{region}-ridge", metric="ridge",
                           held_out_fraction=0.5, stratify="object_name", split_seed=0,
                           ceiling_convention="ratio", **common)


def v4_pls() -> NeuralBenchmark:
    """``MajajHong2015.V4-pls``: Brain-Score-compatible PLS predictivity of V4."""
    return _benchmark("V4", "pls")


def it_pls() -> NeuralBenchmark:
    """``MajajHong2015.IT-pls``: Brain-Score-compatible PLS predictivity of IT."""
    return _benchmark("IT", "pls")


def v4_ridge() -> NeuralBenchmark:
    """``MajajHong2015.V4-ridge``: ridge predictivity of V4 on held-out images."""
    return _benchmark("V4", "ridge")


def it_ridge() -> NeuralBenchmark:
    """``MajajHong2015.IT-ridge``: ridge predictivity of IT on held-out images."""
    return _benchmark("IT", "ridge")
