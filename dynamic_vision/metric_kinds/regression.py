"""Cross-validated regression metrics: fit a linear map from model to neurons, correlate.

Procedure (shared by ``ridge``, ``pls`` and ``linear``):

1. align source to target by ``stimulus_id`` and sort both by it, so that splits depend on the
   stimulus ids and the seed, not on row order;
2. make the splits once (stratified by ``stratify_coord`` when the target has it);
3. for every time bin separately (or once when there are none) and every split: fit the
   mapping on the training stimuli, predict the test stimuli, and take the Pearson r between
   prediction and recording per neuroid;
4. aggregate: median over neuroids (per split and time bin), mean over time bins, mean over
   splits. The error is the standard deviation over splits divided by √n_splits (Brain-Score's
   standard error of the mean, ``ddof=0``).
5. a bias-corrected and accelerated (BCa) bootstrap over neuroids: neuroids are resampled
   with replacement and step 4 recomputed, ``n_bootstrap`` times; its 95 % interval is
   ``detail["raw_ci"]`` (dim ``bound``: low, high). (Resampling the 10 % test stimuli
   instead gives bootstrap distributions whose bias for a median over neuroids exceeds two
   standard deviations, where BCa intervals degenerate.)

:meth:`RegressionMetric.per_time_bin` scores every time bin as a call for that bin alone would,
value for value, aligning and splitting once (neural benchmarks score bins that way).

A test split with fewer than ``min_test_stimuli`` (10) stimuli is refused
(:class:`~dynamic_vision.core.errors.ScoreGuardError`): with 2 test stimuli every r is ±1.

``Score.detail["raw"]`` keeps the per-neuroid values with dims ``(split, neuroid[, time_bin])``;
``detail["split_raw"]`` the per-split aggregate. Neuroids whose recording is constant over
stimuli have no defined correlation; they are excluded with a warning that counts them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.statistics.correlation import pearson_columns
from dynamic_vision.statistics.linear_models.kernel import cross_predict
from dynamic_vision.metric_kinds.inputs import (
    MIN_TEST_STIMULI,
    align_by_stimulus,
    as_matrix,
    check_test_sizes,
    drop_constant_targets,
    time_bin_coords,
    time_bin_pairs,
)
from dynamic_vision.core.scores import Score
from dynamic_vision.statistics.splits import ShuffleSplits, Splitter

__all__ = ["RegressionMetric", "aggregate_splits", "neuroid_bootstrap"]


def aggregate_splits(per_split: np.ndarray) -> tuple[float, float]:
    """Mean over splits and its standard error ``std / sqrt(n)`` (``ddof=0``)."""
    per_split = np.asarray(per_split, dtype=np.float64)
    return float(per_split.mean()), float(per_split.std() / np.sqrt(per_split.size))


def neuroid_bootstrap(raw: np.ndarray, aggregation: str = "median", n_resamples: int = 1000,
                      seed: int = 0) -> tuple[float, float]:
    """BCa interval of a cross-validated score, resampling neuroids.

    Parameters
    ----------
    raw
        Per-neuroid correlations, ``(split, neuroid[, time_bin])``. Neuroids are resampled with
        replacement (the same resample in every split and time bin) and the score recomputed
        as the metric computes it: ``aggregation`` over neuroids, then the mean over time bins
        and splits. Neuroids without a value (constant recordings) are left out.

    Returns
    -------
    (low, high)
        The 95 % interval (:func:`dynamic_vision.statistics.inference.bootstrap_interval`):
        how much the score depends on which neuroids were recorded. NaN with fewer than 3
        neuroids.
    """
    from dynamic_vision.statistics.inference import bootstrap_interval

    raw = np.asarray(raw, dtype=np.float64)
    raw = raw.reshape(raw.shape[0], raw.shape[1], -1)
    raw = raw[:, np.isfinite(raw).any(axis=(0, 2))]
    if raw.shape[1] < 3:
        return float("nan"), float("nan")
    reduce = np.nanmedian if aggregation == "median" else np.nanmean

    def statistic(neuroids: np.ndarray, axis: int = -1) -> np.ndarray:
        chosen = np.moveaxis(raw[:, neuroids], -2, -1)  # split, ..., time_bin, neuroid
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return reduce(chosen, axis=-1).mean(axis=-1).mean(axis=0)

    interval = bootstrap_interval((np.arange(raw.shape[1]),), statistic,
                                  n_resamples=n_resamples, seed=seed)
    return interval.low, interval.high


class RegressionMetric:
    """Cross-validated linear predictivity (see module docstring for the procedure).

    Parameters
    ----------
    regression
        An unfitted estimator with ``fit(X, Y)`` / ``predict(X)``, or a zero-argument factory
        returning one; a fresh copy is fitted for every split.
    splits
        A splitter from :mod:`dynamic_vision.statistics.splits` (``split(assembly)`` → index pairs).
        Defaults to 10 shuffle splits, 90 % train, seed 0, stratified by ``stratify_coord``.
    stratify_coord
        Presentation coordinate to stratify the default splits by, used when the target has it.
    aggregation
        ``"median"`` (default) or ``"mean"`` over neuroids.
    progress
        Show progress bars over splits.
    n_bootstrap
        Resamples of the neuroid bootstrap (``detail["raw_ci"]``); 0 skips it.
    min_test_stimuli
        Guard: fewest test stimuli per split. Lower it only knowingly.
    """

    def __init__(self, regression: Any, splits: Splitter | None = None,
                 stratify_coord: str | None = "category", aggregation: str = "median",
                 progress: bool = False, n_bootstrap: int = 1000,
                 min_test_stimuli: int = MIN_TEST_STIMULI):
        self.regression = regression
        self.splits = splits
        self.stratify_coord = stratify_coord
        if aggregation not in ("median", "mean"):
            raise ValueError(f"aggregation must be 'median' or 'mean', got {aggregation!r}.")
        self.aggregation = aggregation
        self.progress = progress
        self.n_bootstrap = int(n_bootstrap)
        self.min_test_stimuli = int(min_test_stimuli)

    def _estimator(self) -> Any:
        if hasattr(self.regression, "fit"):
            return self.regression
        return self.regression()

    def _splitter(self, target: xr.DataArray) -> Splitter:
        if self.splits is not None:
            return self.splits
        stratify = self.stratify_coord if (self.stratify_coord
                                           and self.stratify_coord in target.coords) else None
        return ShuffleSplits(n_splits=10, train_size=0.9, seed=0, stratify_coord=stratify)

    def _per_neuroid(self, source: xr.DataArray, target: xr.DataArray
                     ) -> tuple[np.ndarray, list, xr.DataArray]:
        """Steps 1-3: held-out Pearson r per split, neuroid and time bin
        (``split × neuroid × time_bin``, one bin when there are none), the splits, and the
        aligned target."""
        source, target = align_by_stimulus(source, target)
        order = np.argsort(target["stimulus_id"].values.astype(str), kind="stable")
        source, target = source.isel(presentation=order), target.isel(presentation=order)
        splits = self._splitter(target).split(target)
        check_test_sizes(splits, self.min_test_stimuli, "Regression metric")
        estimator = self._estimator()
        per_bin = []
        for index, source_bin, target_bin in time_bin_pairs(source, target):
            X, Y = as_matrix(source_bin), as_matrix(target_bin)
            usable = drop_constant_targets(Y)
            predictions, _ = cross_predict(
                estimator, X, Y[:, usable], splits, progress=self.progress,
                description=f"regression{'' if index is None else f' (time bin {index})'}")
            r = np.full((len(splits), Y.shape[1]), np.nan)
            for k, ((_, test), predicted) in enumerate(zip(splits, predictions)):
                r[k, usable] = pearson_columns(np.asarray(predicted).reshape(len(test), -1),
                                               Y[test][:, usable])
            per_bin.append(r)
        return np.stack(per_bin, axis=-1), splits, target

    def _reduce(self, raw: np.ndarray) -> np.ndarray:
        """Step 4's reduction over neuroids: ``split × neuroid × …`` → ``split × …``."""
        reduce: Callable[..., np.ndarray] = np.nanmedian if self.aggregation == "median" \
            else np.nanmean
        return reduce(raw, axis=1)

    def per_time_bin(self, source: xr.DataArray, target: xr.DataArray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Score every time bin on its own, as ``self(source.isel(time_bin=b),
        target.isel(time_bin=b))`` would, value for value, but aligning and splitting once.

        Neural benchmarks call this instead of one call per bin, so a subclass that changes
        ``__call__`` must change this method the same way.

        Parameters
        ----------
        source, target
            ``presentation × neuroid × time_bin`` assemblies with the same time bins.

        Returns
        -------
        raw, raw_error, per_neuroid
            Per time bin: the score (mean over splits), its error, and the per-neuroid values
            ``split × neuroid × time_bin`` (``detail["raw"]`` of each bin's score). No
            bootstrap is made.
        """
        if "time_bin" not in target.dims or "time_bin" not in source.dims:
            raise ValueError("per_time_bin needs a 'time_bin' dimension on source and target; "
                             "call the metric itself otherwise.")
        raw, _, _ = self._per_neuroid(source, target)
        # Each bin reduced from its own contiguous copy, as a call for that bin alone does:
        # numpy sums a strided axis in another order, which would move the last bit.
        scores = [aggregate_splits(self._reduce(np.ascontiguousarray(raw[..., [index]]))
                                   .mean(axis=1))
                  for index in range(raw.shape[-1])]
        center, error = (np.array(values, dtype=np.float64) for values in zip(*scores))
        return center, error, raw

    def __call__(self, source: xr.DataArray, target: xr.DataArray) -> Score:
        has_bins = "time_bin" in target.dims
        raw, splits, target = self._per_neuroid(source, target)  # split × neuroid × time_bin
        split_bin = self._reduce(raw)  # split × time_bin
        per_split = split_bin.mean(axis=1)
        center, error = aggregate_splits(per_split)
        neuroid_coords = {name: ("neuroid", np.asarray(target[name].values))
                          for name in target.coords if target[name].dims == ("neuroid",)}
        dims = ("split", "neuroid", "time_bin")
        coords: dict[str, Any] = {"split": np.arange(len(splits)), **neuroid_coords}
        if has_bins:
            coords.update(time_bin_coords(target))
            detail = xr.Dataset({"raw": (dims, raw), "split_raw": (("split", "time_bin"),
                                                                   split_bin)}, coords=coords)
            detail["time_bin_raw"] = detail["split_raw"].mean("split")
        else:
            detail = xr.Dataset({"raw": (dims[:2], raw[..., 0]),
                                 "split_raw": (("split",), split_bin[:, 0])}, coords=coords)
        if self.n_bootstrap:
            low, high = neuroid_bootstrap(raw, self.aggregation, self.n_bootstrap)
            detail["raw_ci"] = xr.DataArray([low, high], dims="bound",
                                            coords={"bound": ["low", "high"]})
        return Score.from_raw(center, error, detail=detail)
