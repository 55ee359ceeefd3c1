"""The ``logistic`` decoding metric: held-out accuracy of a multinomial logistic regression.

Source: model features (``presentation × neuroid [× time_bin]``). Target: one class label per
stimulus (a ``presentation`` DataArray whose ``label`` coordinate, or else its values, holds the
labels). Outer splits are stratified K folds by label; with time bins the decoder is fitted per
time bin and the score is the mean over time bins. Score = mean accuracy over folds, error =
std / √n_folds. ``detail["raw"]`` (split[, time_bin]); ``detail.attrs["chance"]`` = the
accuracy of always answering the most frequent class.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from dynamic_vision.statistics.linear_models.logistic import DEFAULT_CS, LogisticRegression
from dynamic_vision.metric_kinds.inputs import align_by_stimulus, time_bin_coords
from dynamic_vision.metric_kinds.regression import aggregate_splits
from dynamic_vision.core.scores import Score
from dynamic_vision.statistics.splits import KFoldSplits, Splitter

__all__ = ["DecodingMetric", "build"]


def _labels(target: xr.DataArray, label_coord: str) -> np.ndarray:
    if label_coord in target.coords and target[label_coord].dims == ("presentation",):
        return np.asarray(target[label_coord].values)
    if target.dims == ("presentation",):
        return np.asarray(target.values)
    raise ValueError(f"The target has no '{label_coord}' coordinate on 'presentation'; pass the "
                     f"class label of every stimulus as that coordinate.")


class DecodingMetric:
    """Cross-validated decoding accuracy (see module docstring).

    Parameters
    ----------
    Cs, inner_splits
        Regularisation grid and inner folds of :class:`LogisticRegression`.
    splits
        Outer splitter; default 5 stratified folds by ``label_coord``, seed 0.
    label_coord
        Name of the label coordinate of the target.
    """

    def __init__(self, Cs: Sequence[float] = DEFAULT_CS, inner_splits: int = 3,
                 splits: Splitter | None = None, label_coord: str = "label"):
        self.Cs = Cs
        self.inner_splits = inner_splits
        self.splits = splits
        self.label_coord = label_coord

    def __call__(self, source: xr.DataArray, target: xr.DataArray) -> Score:
        source, target = align_by_stimulus(source, target, numeric_target=False)
        order = np.argsort(target["stimulus_id"].values.astype(str), kind="stable")
        source, target = source.isel(presentation=order), target.isel(presentation=order)
        labels = _labels(target, self.label_coord)
        stratified = target.assign_coords({"_label": ("presentation", labels)})
        if self.splits is None:
            classes, counts = np.unique(labels, return_counts=True)
            if counts.min() < 5:
                raise ValueError(
                    f"Too few stimuli of class '{classes[np.argmin(counts)]}' for 5 stratified "
                    f"folds: {counts.min()} stimuli; every class needs at least 5. Use more "
                    f"stimuli or pass splits=KFoldSplits(n) with a smaller n.")
        splitter = self.splits or KFoldSplits(5, shuffle=True, seed=0, stratify_coord="_label")
        splits = splitter.split(stratified)
        bins = source.sizes.get("time_bin", 0)
        views = [source.isel(time_bin=b) for b in range(bins)] if bins else [source]
        accuracy = np.empty((len(splits), len(views)))
        for b, view in enumerate(views):
            X = np.asarray(view.values, dtype=np.float64).reshape(view.sizes["presentation"], -1)
            for k, (train, test) in enumerate(splits):
                decoder = LogisticRegression(self.Cs, self.inner_splits).fit(X[train],
                                                                             labels[train])
                accuracy[k, b] = float(np.mean(decoder.predict(X[test]) == labels[test]))
        center, error = aggregate_splits(accuracy.mean(axis=1))
        coords = {"split": np.arange(len(splits))}
        if bins:
            coords.update(time_bin_coords(source))
            detail = xr.Dataset({"raw": (("split", "time_bin"), accuracy)}, coords=coords)
        else:
            detail = xr.Dataset({"raw": (("split",), accuracy[:, 0])}, coords=coords)
        _, counts = np.unique(labels, return_counts=True)
        detail.attrs["chance"] = float(counts.max() / counts.sum())
        return Score.from_raw(center, error, detail=detail)


def build(Cs: Sequence[float] = DEFAULT_CS, inner_splits: int = 3,
          splits: Splitter | None = None, label_coord: str = "label") -> DecodingMetric:
    """The ``logistic`` decoding metric (see :class:`DecodingMetric`)."""
    return DecodingMetric(Cs=Cs, inner_splits=inner_splits, splits=splits,
                          label_coord=label_coord)
