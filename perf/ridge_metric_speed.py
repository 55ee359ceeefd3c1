"""The ridge metric over time bins: one metric call per bin vs one call for all bins.

A neural benchmark scores every time bin of every layer on its own
(:func:`~dynamic_vision.benchmark_kinds.neural.score_time_bins`). The peer is that procedure
as it was: the ``ridge`` metric called once per time bin, each call aligning the assemblies by
stimulus, making the splits and building a ``Score`` with its detail. Ours is
``score_time_bins`` as it is: one
:meth:`~dynamic_vision.metric_kinds.regression.RegressionMetric.per_time_bin` call for all bins.
The fits (one per split and bin) are the same in both.

The data have SimMotion's shapes: 192 held-out stimuli (10 splits of 172/20) or 64 public
ones (54/10), 432 features (float32, as model activations), 64 neuroids, 19 time bins.
Prints CPU seconds of each (best of ``--repeats``), their ratio, and the largest difference,
absolute and relative, between the two in per-bin scores, errors and per-neuroid values
(expected: 0; both compute the same sums in the same order).

    python perf/ridge_metric_speed.py
    python perf/ridge_metric_speed.py --bins 5 --repeats 1     # quick
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import xarray as xr

from dynamic_vision.benchmark_kinds.neural import score_time_bins
from dynamic_vision.metric_kinds.regression import RegressionMetric
from dynamic_vision.statistics.linear_models.ridge import RidgeCVRegression
from dynamic_vision.statistics.splits import ShuffleSplits
from dynamic_vision.testing.metric_checks import toy_assemblies


def peer(metric: RegressionMetric, source: xr.DataArray, target: xr.DataArray
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One metric call per time bin (the per-bin loop of ``score_time_bins`` before)."""
    raw, error, values = [], [], []
    for index in range(target.sizes["time_bin"]):
        score = metric(source.isel(time_bin=index), target.isel(time_bin=index))
        raw.append(float(score.raw))
        error.append(float(score.raw_error))
        values.append(score.detail["raw"].values)
    return np.array(raw), np.array(error), np.stack(values, axis=-1)


def ours(metric: RegressionMetric, source: xr.DataArray, target: xr.DataArray
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    collected: list = []
    raw, error = score_time_bins(metric, source, target, per_neuroid=collected)
    return raw, error, np.stack(collected, axis=-1)


def _cpu(function, repeats: int):
    best, result = np.inf, None
    for _ in range(repeats):
        start = time.process_time()
        result = function()
        best = min(best, time.process_time() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bins", type=int, default=19)
    parser.add_argument("--features", type=int, default=432)
    parser.add_argument("--neuroids", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.bins} time bins, {args.features} "
          f"features, {args.neuroids} neuroids; CPU seconds, best of {args.repeats}")
    for label, n_stimuli, n_train in (("held-out (192 stimuli)", 192, 172),
                                      ("public (64 stimuli)", 64, 54)):
        splits = ShuffleSplits(n_splits=10, train_size=n_train / n_stimuli, seed=0,
                               stratify_coord="category")
        source, target = toy_assemblies(n_stimuli=n_stimuli, n_neuroids=args.neuroids,
                                        n_features=args.features, n_time_bins=args.bins,
                                        seed=1)
        source = source.astype(np.float32)
        old_metric = RegressionMetric(RidgeCVRegression(), splits=splits, n_bootstrap=0)
        new_metric = RegressionMetric(RidgeCVRegression(), splits=splits, n_bootstrap=0)
        old_s, old = _cpu(lambda: peer(old_metric, source, target), args.repeats)
        new_s, new = _cpu(lambda: ours(new_metric, source, target), args.repeats)
        relative = absolute = 0.0
        for a, b in zip(old, new):
            if not np.array_equal(np.isnan(a), np.isnan(b)):
                raise AssertionError("the two disagree on which values are undefined")
            a, b = a[~np.isnan(a)], b[~np.isnan(b)]
            absolute = max(absolute, float(np.abs(a - b).max()))
            relative = max(relative, float((np.abs(a - b) / np.maximum(np.abs(a), 1e-300)).max()))
        print(f"{label}: a call per bin {old_s:.2f} s; one call {new_s:.2f} s; "
              f"ratio {old_s / new_s:.2f}x; max difference {absolute:.3g} "
              f"(relative {relative:.3g})")


if __name__ == "__main__":
    main()
