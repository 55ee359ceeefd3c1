"""The SimMotion benchmarks: electrode benchmarks on simulated V1 and MT recordings.

Each scores the held-out three quarters of the clips (stratified by ``category``) in 20 time
bins of 50 ms; layered models choose their layer on the public quarter. The metric
cross-validates over 10 stratified 90/10 splits of the held-out clips. Simulated units answer
most to few clips (their preferred gratings), so the ridge benchmarks compute each ceiling on
the same 10 % test splits as the correlations it bounds; the RDM benchmark compares 90 %
subsets and uses the ceiling of all held-out clips.
"""

from __future__ import annotations

import functools
from typing import Any

from dynamic_vision.benchmark_kinds import NeuralBenchmark

#: Three quarters of the clips are scored; one quarter (64 clips) is public, for layer
#: selection. A linear map from a few hundred model features to a unit needs the training
#: clips: with half held out, ridge reaches ~0.75 of simulated V1's ceiling for the generating
#: model itself, with three quarters ~0.95.
HELD_OUT_FRACTION = 0.75

#: SimMotion clips span 8 degrees of visual angle (a typical receptive-field mapping screen).
VISUAL_DEGREES = 8.0


def _bibtex() -> str:
    from dynamic_vision.data.simmotion import BIBTEX

    return BIBTEX


def _benchmark(identifier: str, region: str, metric: str, ceiling: Any,
               ceiling_on_test_splits: bool) -> NeuralBenchmark:
    from dynamic_vision.data.simmotion import build

    return NeuralBenchmark(
        identifier,
        assembly=functools.partial(build.load_recordings, region),
        stimuli=build.load_stimulus_set,
        region=region, metric=metric, ceiling=ceiling, stratify="category",
        held_out_fraction=HELD_OUT_FRACTION, split_seed=0, n_splits=10, train_size=0.9,
        ceiling_on_test_splits=ceiling_on_test_splits, visual_degrees=VISUAL_DEGREES,
        version=2, bibtex=_bibtex(), ceiling_convention="ratio")


def v1_ridge() -> NeuralBenchmark:
    """``SimMotion.V1-ridge``: ridge predictivity of simulated V1, per time bin."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    return _benchmark("SimMotion.V1-ridge", "V1", "ridge", split_half_ceiling,
                      ceiling_on_test_splits=True)


def mt_ridge() -> NeuralBenchmark:
    """``SimMotion.MT-ridge``: ridge predictivity of simulated MT, per time bin."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    return _benchmark("SimMotion.MT-ridge", "MT", "ridge", split_half_ceiling,
                      ceiling_on_test_splits=True)


def mt_rdm() -> NeuralBenchmark:
    """``SimMotion.MT-rdm``: representational similarity with simulated MT, per time bin."""
    from dynamic_vision.statistics.ceilings import rsa_ceiling

    return _benchmark("SimMotion.MT-rdm", "MT", "rsa", rsa_ceiling,
                      ceiling_on_test_splits=False)
