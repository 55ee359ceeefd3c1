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
from dynamic_vision.core.benchmark import BenchmarkSpec

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
    from dynamic_vision.core.registry import metric_registry

    return metric_registry.load("ridge", splits=PublishedSplit())


def train_test_ridge(source: xr.DataArray, target: xr.DataArray) -> Any:
    """Ridge fit on the train videos, scored on the test videos (the metric of ``-ridge``)."""
    return _ridge()(source, target)


def test_video_ceiling(assembly: xr.DataArray) -> Any:
    """Split-half ceiling of the test videos (10 repetitions each)."""
    from dynamic_vision.statistics.ceilings import split_half_ceiling

    if "split" in assembly.coords:
        assembly = assembly.isel(presentation=assembly["split"].values.astype(str) == "test")
    return split_half_ceiling(assembly)


def build(spec: BenchmarkSpec, *, subjects: Sequence[str] = SUBJECTS,
          dataset: str = "BOLDMoments", stimulus_set: str | None = None) -> NeuralBenchmark:
    """The BOLD Moments benchmark of ``spec`` (its region, and metric ``"ridge"`` or ``"rsa"``).

    ``dataset`` names the prefix of the per-subject registrations
    (``<dataset>.<subject>.<task>``); ``dataset``/``stimulus_set`` may name other
    registrations of the same format (mirrors, tests).
    """
    from dynamic_vision.statistics.ceilings import rsa_ceiling

    if spec.metric not in ("ridge", "rsa"):
        raise ValueError(f"BOLD Moments benchmarks use 'ridge' or 'rsa', not {spec.metric!r}.")
    ridge = spec.metric == "ridge"
    tasks = ("train", "test") if ridge else ("test",)
    return NeuralBenchmark(
        spec, assembly=functools.partial(load_recordings, tuple(subjects), tasks, dataset),
        stimuli=functools.partial(_stimuli, stimulus_set or spec.stimulus_set, tasks),
        metric=train_test_ridge if ridge else None,
        ceiling=test_video_ceiling if ridge else rsa_ceiling,
        held_out_fraction=None if ridge else 0.5, split_seed=0)


__all__ = ["load_recordings", "build", "PublishedSplit", "train_test_ridge",
           "test_video_ceiling"]
