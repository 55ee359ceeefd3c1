"""Allen Neuropixels natural-movie benchmarks, one per visual area.

Recordings: every unit of the area in one session, firing rates in five 100 ms bins (three
movie frames each, aligned to the logged frame onsets) of each 0.5 s clip of natural movie
one, 20 repeats. Half of the 60 clips are held out for the score, layered models select their
layer on the other half, and every time bin is scored separately (``Score.detail``): ridge is
cross-validated in 5 folds over the held-out clips, so each clip is predicted once and each
fold's Pearson r spans 6 clips. Ceilings are split-half over repeats, per time bin.

Each clip is shown to the model on its own, although the mouse saw the movie continuously:
responses early in a clip partly reflect the end of the previous one, which the ceiling keeps
but no clip-wise model can explain.
"""

from __future__ import annotations

import functools
from typing import Any

from dynamic_vision.benchmark_kinds import NeuralBenchmark

#: The monitor spanned about 120 x 95 degrees of the mouse's visual field; the movie filled it.
VISUAL_DEGREES = 120.0


def _bibtex() -> str:
    from dynamic_vision.data.allen_neuropixels import BIBTEX

    return BIBTEX


@functools.cache
def _ridge() -> Any:
    from dynamic_vision.metrics.ridge.metric import build as ridge
    from dynamic_vision.statistics.splits import KFoldSplits

    return ridge(splits=KFoldSplits(n_splits=5, shuffle=True, seed=0))


def five_fold_ridge(source: Any, target: Any) -> Any:
    """Ridge predictivity, 5-fold cross-validated over the scored clips."""
    return _ridge()(source, target)


def build(area: str, *, dataset: str = "AllenNeuropixels.ses-715093703",
          stimulus_set: str = "AllenNeuropixels.natural_movie_one",
          identifier: str | None = None, held_out_fraction: float = 0.5) -> NeuralBenchmark:
    """The ridge benchmark of ``area`` (e.g. ``"VISp"``), scored per time bin."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    return NeuralBenchmark(
        identifier or f"AllenNeuropixels.{area}-ridge", assembly=dataset,
        stimuli=stimulus_set, region=area, metric=five_fold_ridge, ceiling=split_half_ceiling,
        held_out_fraction=held_out_fraction, split_seed=0, visual_degrees=VISUAL_DEGREES,
        version=1, bibtex=_bibtex(), ceiling_convention="ratio")


def visp_ridge() -> NeuralBenchmark:
    """``AllenNeuropixels.VISp-ridge``."""
    return build("VISp")


def visl_ridge() -> NeuralBenchmark:
    """``AllenNeuropixels.VISl-ridge``."""
    return build("VISl")


def visal_ridge() -> NeuralBenchmark:
    """``AllenNeuropixels.VISal-ridge``."""
    return build("VISal")


def visam_ridge() -> NeuralBenchmark:
    """``AllenNeuropixels.VISam-ridge``."""
    return build("VISam")


def vispm_ridge() -> NeuralBenchmark:
    """``AllenNeuropixels.VISpm-ridge``."""
    return build("VISpm")


def visrl_ridge() -> NeuralBenchmark:
    """``AllenNeuropixels.VISrl-ridge``."""
    return build("VISrl")


def lgd_ridge() -> NeuralBenchmark:
    """``AllenNeuropixels.LGd-ridge``."""
    return build("LGd")


def lp_ridge() -> NeuralBenchmark:
    """``AllenNeuropixels.LP-ridge``."""
    return build("LP")
