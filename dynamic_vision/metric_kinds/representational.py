"""Metrics that compare two representations of the same stimuli without fitting a mapping
(RSA, CKA).

Procedure: align source to target by ``stimulus_id`` (sorted), then for each time bin and each
of ``n_splits`` random subsets of the stimuli (90 % by default, as Brain-Score's RDM metric
does) compute the similarity of the two representations on that subset. The score is the mean
over time bins and subsets; the error is the std over subsets / √n_splits.
``detail["raw"]`` has dims ``(split[, time_bin])``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from dynamic_vision.core.errors import ScoreGuardError
from dynamic_vision.metric_kinds.inputs import (
    MIN_TEST_STIMULI,
    align_by_stimulus,
    as_matrix,
    check_test_sizes,
    time_bin_coords,
    time_bin_pairs,
)
from dynamic_vision.metric_kinds.regression import aggregate_splits
from dynamic_vision.core.scores import Score
from dynamic_vision.statistics.splits import ShuffleSplits, Splitter

__all__ = ["RepresentationalMetric"]


class RepresentationalMetric:
    """Similarity of two stimulus × feature matrices on random stimulus subsets.

    Parameters
    ----------
    similarity
        ``similarity(X, Y) -> float`` on stimulus-aligned matrices. A similarity with an
        ``on_subsets(X, Y, subsets) -> list[float]`` method (e.g.
        :class:`~dynamic_vision.statistics.rsa.RSASimilarity`) computes all subsets at once,
        with the same values as calling it on each subset's rows.
    splits
        Splitter whose *training* parts are the subsets; default 10 × 90 %, seed 0.
    minimum_stimuli
        Guard: fewest stimuli a similarity is computed on (each subset); lower it only
        knowingly.
    """

    def __init__(self, similarity: Callable[[np.ndarray, np.ndarray], float],
                 splits: Splitter | None = None, minimum_stimuli: int = MIN_TEST_STIMULI):
        self.similarity = similarity
        self.splits = splits
        self.minimum_stimuli = minimum_stimuli

    def __call__(self, source: xr.DataArray, target: xr.DataArray) -> Score:
        source, target = align_by_stimulus(source, target)
        order = np.argsort(target["stimulus_id"].values.astype(str), kind="stable")
        source, target = source.isel(presentation=order), target.isel(presentation=order)
        n = target.sizes["presentation"]
        if n < self.minimum_stimuli:
            raise ScoreGuardError(f"Too few stimuli: {n} stimuli; this metric needs at least "
                                  f"{self.minimum_stimuli} (minimum_stimuli).")
        splitter = self.splits or ShuffleSplits(n_splits=10, train_size=0.9, seed=0)
        splits = splitter.split(target)
        check_test_sizes(splits, self.minimum_stimuli, "Representational metric",
                         what="compared subset (training part) of split", part=0,
                         override="minimum_stimuli")
        subsets = [train for train, _ in splits]
        values = []
        for _, source_bin, target_bin in time_bin_pairs(source, target):
            X, Y = as_matrix(source_bin), as_matrix(target_bin)
            on_subsets = getattr(self.similarity, "on_subsets", None)
            values.append(on_subsets(X, Y, subsets) if on_subsets is not None
                          else [self.similarity(X[rows], Y[rows]) for rows in subsets])
        raw = np.asarray(values, dtype=np.float64).T  # split × time_bin
        center, error = aggregate_splits(raw.mean(axis=1))
        coords = {"split": np.arange(len(subsets))}
        if "time_bin" in target.dims:
            coords.update(time_bin_coords(target))
            detail = xr.Dataset({"raw": (("split", "time_bin"), raw)}, coords=coords)
            detail["time_bin_raw"] = detail["raw"].mean("split")
        else:
            detail = xr.Dataset({"raw": (("split",), raw[:, 0])}, coords=coords)
        return Score.from_raw(center, error, detail=detail)
