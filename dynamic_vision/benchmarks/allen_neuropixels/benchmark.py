"""Allen Neuropixels natural-movie benchmarks, one per visual area.

Recordings: every unit of the area in one session, firing rates in five 100 ms bins (three
movie frames each, aligned to the logged frame onsets) of each 0.5 s clip of natural movie
one, 20 repeats. Half of the 60 clips are held out for the score, layered models select their
layer on the other half, and every time bin is scored separately (``Score.detail``): ridge is
cross-validated in 3 folds over the held-out clips, so each clip is predicted once and each
fold's Pearson r spans 10 clips (the fewest the library correlates over). Ceilings are
split-half over repeats, per time bin.

Each clip is shown to the model on its own, although the mouse saw the movie continuously:
responses early in a clip partly reflect the end of the previous one, which the ceiling keeps
but no clip-wise model can explain.
"""

from __future__ import annotations

import functools
from typing import Any

from dynamic_vision.benchmark_kinds import NeuralBenchmark
from dynamic_vision.core.benchmark import BenchmarkSpec


@functools.cache
def _ridge() -> Any:
    from dynamic_vision.core.registry import metric_registry
    from dynamic_vision.statistics.splits import KFoldSplits

    return metric_registry.load("ridge", splits=KFoldSplits(n_splits=3, shuffle=True, seed=0),
                                n_bootstrap=0)


def three_fold_ridge(source: Any, target: Any) -> Any:
    """Ridge predictivity, 3-fold cross-validated over the scored clips."""
    return _ridge()(source, target)


def build(spec: BenchmarkSpec, *, held_out_fraction: float = 0.5) -> NeuralBenchmark:
    """The ridge benchmark of ``spec``'s area (e.g. ``"VISp"``), scored per time bin."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    return NeuralBenchmark(spec, metric=three_fold_ridge, ceiling=split_half_ceiling,
                           held_out_fraction=held_out_fraction, split_seed=0)
