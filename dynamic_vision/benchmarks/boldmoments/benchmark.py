"""BOLD Moments benchmarks per ROI.

- ``-rsa`` follows Sartzetaki et al. (2025): the 102 test videos, each seen 10 times by each of
  the 10 subjects, compared by RSA (Spearman correlation of correlation-distance RDMs). Half of
  the test videos are held out for the score; layered models pick their layer on the other
  half.
- ``-ridge`` uses the dataset's own partition: ridge (per-vertex penalty) is fit on the 1,000
  train videos (3 repetitions) and predicts the 102 test videos (10 repetitions); the score is
  the median over vertices of the Pearson r on the test videos.

Vertices of all subjects are pooled as neuroids. Ceilings are split-half over the test videos'
10 repetitions (Spearman–Brown).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.benchmark_kinds import NeuralBenchmark

#: Angle of the videos on screen; not stated in the sources read, so the library default.
VISUAL_DEGREES = 8.0
SUBJECTS = tuple(f"sub-{n:02d}" for n in range(1, 11))


def _subject(dataset: str, subject: str, tasks: Sequence[str]) -> xr.DataArray:
    from dynamic_vision.core.registry import dataset_registry

    parts = [dataset_registry.load(f"{dataset}.{subject}.{task}") for task in tasks]
    return parts[0] if len(parts) == 1 else xr.concat(parts, dim="presentation")


def load_recordings(subjects: Sequence[str] = SUBJECTS, tasks: Sequence[str] = ("test",),
                    dataset: str = "BOLDMoments") -> xr.DataArray:
    """Every subject's ROI betas, pooled along ``neuroid``.

    Subjects are read one at a time (each from ``<dataset>.<subject>.<task>`` for each task);
    trials present in every subject are kept, in the first subject's order.
    """
    parts = [_subject(dataset, subject, tasks) for subject in subjects]
    keys = [list(zip(p["stimulus_id"].values.tolist(), p["repetition"].values.tolist()))
            for p in parts]
    common = set(keys[0]).intersection(*map(set, keys[1:]))
    order = [k for k in keys[0] if k in common]
    aligned = []
    for part, key in zip(parts, keys):
        position = {k: i for i, k in enumerate(key)}
        aligned.append(part.isel(presentation=[position[k] for k in order]))
    pooled = xr.concat([a.drop_vars(["split"]) for a in aligned], dim="neuroid",
                       coords="minimal", compat="override")
    pooled = pooled.assign_coords(split=("presentation", aligned[0]["split"].values))
    return pooled.transpose("presentation", "neuroid", "time_bin")


def _stimuli(stimulus_set: str, tasks: Sequence[str]) -> Any:
    from dynamic_vision.core.registry import stimulus_set_registry

    stimuli = stimulus_set_registry.load(stimulus_set)
    return stimuli.subset(stimuli.loc[stimuli["split"].isin(tasks), "stimulus_id"].tolist())


class PublishedSplit:
    """One cross-validation split: fit on ``split == "train"``, test on ``split == "test"``."""

    def split(self, assembly: xr.DataArray) -> list[tuple[np.ndarray, np.ndarray]]:
        if "split" not in assembly.coords:
            raise ValueError("BOLD Moments ridge needs the recordings' 'split' coord.")
        split = assembly["split"].values.astype(str)
        train, test = np.flatnonzero(split == "train"), np.flatnonzero(split == "test")
        if not len(train) or not len(test):
            raise ValueError(f"BOLD Moments ridge needs train and test videos; got "
                             f"{len(train)} train and {len(test)} test.")
        return [(train, test)]


@functools.cache
def _ridge() -> Any:
    from dynamic_vision.metrics.ridge.metric import build as ridge

    return ridge(splits=PublishedSplit())


def train_test_ridge(source: xr.DataArray, target: xr.DataArray) -> Any:
    """Ridge fit on the train videos, scored on the test videos (the metric of ``-ridge``)."""
    return _ridge()(source, target)


def test_video_ceiling(assembly: xr.DataArray) -> Any:
    """Split-half ceiling of the test videos (10 repetitions each)."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    if "split" in assembly.coords:
        assembly = assembly.isel(presentation=assembly["split"].values.astype(str) == "test")
    return split_half_ceiling(assembly)


def _bibtex() -> str:
    from dynamic_vision.data.boldmoments import BIBTEX

    return BIBTEX


def build(roi: str, metric: str, *, subjects: Sequence[str] = SUBJECTS,
          dataset: str = "BOLDMoments", stimulus_set: str = "BOLDMoments",
          identifier: str | None = None) -> NeuralBenchmark:
    """A BOLD Moments benchmark for ``roi`` with ``metric`` (``"ridge"`` or ``"rsa"``).

    ``dataset``/``stimulus_set`` name other registrations of the same format (mirrors, tests).
    """
    from dynamic_vision.statistics.ceilings import rsa_ceiling

    if metric not in ("ridge", "rsa"):
        raise ValueError(f"BOLD Moments benchmarks use 'ridge' or 'rsa', not {metric!r}.")
    tasks = ("train", "test") if metric == "ridge" else ("test",)
    return NeuralBenchmark(
        identifier or f"BOLDMoments.{roi}-{metric}",
        assembly=functools.partial(load_recordings, tuple(subjects), tasks, dataset),
        stimuli=functools.partial(_stimuli, stimulus_set, tasks), region=roi,
        metric=train_test_ridge if metric == "ridge" else "rsa",
        ceiling=test_video_ceiling if metric == "ridge" else rsa_ceiling,
        held_out_fraction=None if metric == "ridge" else 0.5, split_seed=0,
        visual_degrees=VISUAL_DEGREES, version=1, bibtex=_bibtex(), ceiling_convention="ratio")


def ridge_v1() -> NeuralBenchmark:
    """``BOLDMoments.V1-ridge``."""
    return build("V1", "ridge")


def ridge_v2() -> NeuralBenchmark:
    """``BOLDMoments.V2-ridge``."""
    return build("V2", "ridge")


def ridge_mt() -> NeuralBenchmark:
    """``BOLDMoments.MT-ridge``."""
    return build("MT", "ridge")


def rsa_v1() -> NeuralBenchmark:
    """``BOLDMoments.V1-rsa``."""
    return build("V1", "rsa")


def rsa_v2() -> NeuralBenchmark:
    """``BOLDMoments.V2-rsa``."""
    return build("V2", "rsa")


def rsa_mt() -> NeuralBenchmark:
    """``BOLDMoments.MT-rsa``."""
    return build("MT", "rsa")


__all__ = ["load_recordings", "build", "PublishedSplit", "train_test_ridge",
           "test_video_ceiling"]
