"""Brain-Score's internal-consistency ceiling (``metrics/internal_consistency``).

For each of 10 halvings of the **repetition values** (:func:`~dynamic_vision.statistics.
brainscore.splits.repetition_halves`: the same halves for every stimulus), each half is averaged
per stimulus, every neuroid's Pearson r between the two half-means across stimuli is
Spearman–Brown corrected (``2r / (1 + r)``), and the median over neuroids taken (corrected first,
then the median); the ceiling is the mean over halvings and its error the ``ddof=0`` standard
deviation over halvings divided by √10.

This differs from :func:`dynamic_vision.statistics.ceilings.split_half_ceiling`, which halves the
repetitions of each stimulus independently.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from dynamic_vision.core.scores import Score
from dynamic_vision.statistics.brainscore.regression import pearson_per_column, standard_error
from dynamic_vision.statistics.brainscore.splits import repetition_halves

__all__ = ["internal_consistency", "half_means"]


def half_means(values: np.ndarray, stimulus_ids: np.ndarray, rows: np.ndarray,
               order: np.ndarray) -> np.ndarray:
    """Mean of ``values[rows]`` per stimulus, in the order of the ids ``order``."""
    ids = stimulus_ids[rows]
    labels, inverse = np.unique(ids, return_inverse=True)
    missing = np.setdiff1d(order, labels)
    if missing.size:
        raise ValueError(f"{missing.size} stimuli have no repetition in one half, e.g. "
                         f"stimulus_id '{missing[0]}'; Brain-Score's repetition halves need "
                         f"every stimulus shown in both halves.")
    sums = np.zeros((len(labels),) + values.shape[1:])
    np.add.at(sums, inverse, values[rows])
    counts = np.bincount(inverse, minlength=len(labels)).reshape((-1,) + (1,) * (values.ndim - 1))
    means = sums / counts
    return means[np.searchsorted(labels, order)]


def internal_consistency(assembly: xr.DataArray,
                         halves: Sequence[tuple[Sequence, Sequence]] | None = None, *,
                         n_splits: int = 10, seed: int = 1) -> Score:
    """Brain-Score's internal-consistency ceiling of repetition-resolved recordings.

    Parameters
    ----------
    assembly
        ``presentation × neuroid [× time_bin]`` with ``stimulus_id`` and ``repetition`` on
        presentations. With time bins, each bin gets its own ceiling and the value is their
        mean (Brain-Score's neural benchmarks have one bin).
    halves
        Explicit halvings: per halving, the repetition *values* of its two halves. Default:
        :func:`~dynamic_vision.statistics.brainscore.splits.repetition_halves` (10, seed 1).
    n_splits, seed
        Used when ``halves`` is not given.

    Returns
    -------
    Score
        ``raw`` and ``raw_error`` as Brain-Score's; ``detail["split_ceiling"]`` (split),
        ``detail["neuroid_consistency"]`` (split × neuroid, corrected) and
        ``detail["neuroid_pearson"]`` (uncorrected).
    """
    for coord in ("stimulus_id", "repetition"):
        if coord not in assembly.coords:
            raise ValueError(f"Brain-Score's internal consistency needs a '{coord}' coordinate "
                             f"on presentations.")
    assembly = assembly.transpose("presentation", "neuroid", ...)
    if "time_bin" in assembly.dims and assembly.sizes["time_bin"] > 1:
        per_bin = [internal_consistency(assembly.isel(time_bin=b), halves, n_splits=n_splits,
                                        seed=seed) for b in range(assembly.sizes["time_bin"])]
        return Score.from_raw(float(np.mean([s.raw for s in per_bin])),
                              float(np.sqrt(np.mean([s.raw_error ** 2 for s in per_bin]))),
                              ceiling="brainscore_internal_consistency")
    values = np.asarray(assembly.values, dtype=np.float64).reshape(assembly.sizes["presentation"],
                                                                   assembly.sizes["neuroid"])
    ids = np.asarray(assembly["stimulus_id"].values).astype(str)
    repetitions = np.asarray(assembly["repetition"].values)
    if halves is None:
        halves = repetition_halves(repetitions, n_splits=n_splits, seed=seed)
    order = np.unique(ids)  # aligned by stimulus_id
    corrected, uncorrected = [], []
    for first, second in halves:
        in_first = np.isin(repetitions, np.asarray(first))
        in_second = np.isin(repetitions, np.asarray(second))
        if np.any(in_first & in_second):
            raise ValueError("A repetition value is in both halves.")
        r = pearson_per_column(half_means(values, ids, np.flatnonzero(in_first), order),
                               half_means(values, ids, np.flatnonzero(in_second), order))
        uncorrected.append(r)
        corrected.append(2 * r / (1 + r))
    corrected, uncorrected = np.stack(corrected), np.stack(uncorrected)
    per_split = np.median(corrected, axis=1)
    neuroid_ids = (np.asarray(assembly["neuroid_id"].values) if "neuroid_id" in assembly.coords
                   else np.arange(values.shape[1]))
    detail = xr.Dataset({"split_ceiling": ("split", per_split),
                         "neuroid_consistency": (("split", "neuroid"), corrected),
                         "neuroid_pearson": (("split", "neuroid"), uncorrected)},
                        coords={"split": np.arange(len(per_split)),
                                "neuroid_id": ("neuroid", neuroid_ids)})
    return Score.from_raw(float(per_split.mean()), standard_error(per_split), detail=detail,
                          ceiling="brainscore_internal_consistency")
