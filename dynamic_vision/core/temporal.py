"""Alignment of model time steps to a benchmark's time bins.

Convention
----------
A model time step ``i`` covers the half-open interval ``[step_start[i], step_end[i])`` in
milliseconds from stimulus onset (for a frame-wise model at ``fps`` frames per second, frame
``i`` covers ``[1000 i / fps, 1000 (i + 1) / fps)``). The value of a time bin
``[bin_start, bin_end)`` is the average of the steps weighted by how many milliseconds each step
overlaps the bin.

**Model responses are causal** (``latency_ms`` given, as :func:`align_activations` and the
models do): a step may depend only on frames whose onset is at or before its start (the
extraction engine places steps so; see :mod:`dynamic_vision.modeling.activations.windows`),
every step is shifted later by the model's latency, and before its first step the model is
silent (zero): a silent step fills ``[min(0, first bin start), first step start)``. A bin
therefore never depends on a frame shown after it ends, nor, with a latency, after
``bin_end - latency_ms``. A bin after the last step holds the last step (the model's state
persists after the last frame); this is how a recording window that outlasts a short stimulus
is filled.

**Data** (``latency_ms=None``, e.g. re-binning recordings): a bin that overlaps no step takes
the value of the nearest step, on either side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from typing import TYPE_CHECKING

from dynamic_vision.core.brain_model import TimeBins, normalize_time_bins

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["overlap_weights", "align_time", "causal_steps", "align_activations", "frame_intervals"]


def frame_intervals(n_steps: int, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (ms) of ``n_steps`` consecutive steps at ``fps`` steps per second."""
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}.")
    index = np.arange(n_steps, dtype=np.float64)
    return index * 1000.0 / fps, (index + 1) * 1000.0 / fps


def overlap_weights(step_start: Sequence[float], step_end: Sequence[float],
                    time_bins: TimeBins) -> np.ndarray:
    """The ``(n_bins, n_steps)`` matrix that averages steps into bins (rows sum to 1).

    Parameters
    ----------
    step_start, step_end
        Intervals (ms) covered by each model time step.
    time_bins
        ``[(start_ms, end_ms), ...]`` requested by the benchmark.
    """
    starts = np.asarray(step_start, dtype=np.float64)
    ends = np.asarray(step_end, dtype=np.float64)
    if starts.shape != ends.shape or starts.ndim != 1 or starts.size == 0:
        raise ValueError("step_start and step_end must be equal-length, non-empty 1-d sequences.")
    if np.any(ends <= starts):
        raise ValueError("Every model time step must end after it starts.")
    bins = np.asarray(normalize_time_bins(time_bins))
    overlap = (np.minimum(bins[:, 1:2], ends[None, :])
               - np.maximum(bins[:, 0:1], starts[None, :])).clip(min=0.0)
    weights = np.zeros_like(overlap)
    covered = overlap.sum(axis=1) > 0
    weights[covered] = overlap[covered] / overlap[covered].sum(axis=1, keepdims=True)
    centers = (starts + ends) / 2
    for row in np.flatnonzero(~covered):
        bin_center = bins[row].mean()
        weights[row, np.argmin(np.abs(centers - bin_center))] = 1.0
    return weights


def causal_steps(values: np.ndarray, step_start: Sequence[float], step_end: Sequence[float],
                 time_bins: TimeBins, latency_ms: float = 0.0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Model steps ``(..., n_steps)`` shifted by ``latency_ms``, with a leading silent (zero)
    step wherever a bin starts before the first step (see the module docstring)."""
    latency = float(latency_ms)
    if not np.isfinite(latency) or latency < 0:
        raise ValueError(f"latency_ms must be a finite, non-negative number, got {latency_ms!r}.")
    starts = np.asarray(step_start, dtype=np.float64) + latency
    ends = np.asarray(step_end, dtype=np.float64) + latency
    values = np.asarray(values)
    if starts.size == 0:
        raise ValueError("step_start and step_end must be equal-length, non-empty 1-d sequences.")
    onset = min(0.0, min(float(start) for start, _ in normalize_time_bins(time_bins)))
    if starts[0] > onset:
        silent = np.zeros(values.shape[:-1] + (1,), dtype=np.result_type(values, np.float32))
        values = np.concatenate([silent, values.astype(silent.dtype, copy=False)], axis=-1)
        starts, ends = np.r_[onset, starts], np.r_[starts[0], ends]
    return values, starts, ends


def align_time(values: np.ndarray, step_start: Sequence[float], step_end: Sequence[float],
               time_bins: TimeBins, axis: int = -1, *,
               latency_ms: float | None = None) -> np.ndarray:
    """Average ``values`` over time steps (along ``axis``) into ``time_bins``.

    Returns a floating array with ``axis`` replaced by one entry per time bin. A bin is NaN
    only where a NaN step carries weight in it.

    Parameters
    ----------
    latency_ms
        ``None`` for data (bins outside the steps take the nearest step). A number for model
        responses: steps are delayed by it and the model is silent before its first step
        (:func:`causal_steps`), so no bin sees a frame shown after it ends.
    """
    moved = np.moveaxis(np.asarray(values), axis, -1)
    if latency_ms is not None:
        if moved.shape[-1] != len(step_start):
            raise ValueError(f"values have {moved.shape[-1]} time steps along axis {axis}, "
                             f"but {len(step_start)} step intervals were given.")
        moved, step_start, step_end = causal_steps(moved, step_start, step_end, time_bins,
                                                   latency_ms)
    weights = overlap_weights(step_start, step_end, time_bins)
    if moved.shape[-1] != weights.shape[1]:
        raise ValueError(f"values have {moved.shape[-1]} time steps along axis {axis}, "
                         f"but {weights.shape[1]} step intervals were given.")
    if not np.issubdtype(moved.dtype, np.floating):  # integer weights would truncate to 0
        moved = moved.astype(np.float64)
    used = weights.T.astype(moved.dtype, copy=False)
    missing = np.isnan(moved)
    if not missing.any():
        return np.moveaxis(moved @ used, -1, axis)
    # NaN steps (e.g. padding after a short clip) spoil only the bins that give them weight.
    out = np.where(missing, 0, moved) @ used
    out[(missing.astype(np.float32) @ (weights.T > 0).astype(np.float32)) > 0] = np.nan
    return np.moveaxis(out, -1, axis)


def align_activations(activations: xr.DataArray, time_bins: TimeBins,
                      latency_ms: float = 0.0) -> xr.DataArray:
    """Average one layer's ``(presentation, neuroid, time_step)`` steps into ``time_bins``.

    The steps' intervals are the coords ``step_start_ms`` / ``step_end_ms``, delayed by
    ``latency_ms``; the model is silent before its first step (causal alignment, see the
    module docstring). Each stimulus uses only its own valid steps (coord ``n_steps``), so a
    short clip's missing steps never dilute a bin: bins after its end take its last step.
    """
    import xarray as xr

    bins = normalize_time_bins(time_bins)
    values = activations.values
    starts = activations["step_start_ms"].values
    ends = activations["step_end_ms"].values
    n_steps = activations["n_steps"].values if "n_steps" in activations.coords else \
        np.full(values.shape[0], values.shape[2])
    out = np.empty((values.shape[0], values.shape[1], len(bins)), dtype=np.float32)
    for count in np.unique(n_steps):
        rows = n_steps == count
        out[rows] = align_time(values[rows][:, :, :count], starts[:count], ends[:count], bins,
                               axis=-1, latency_ms=latency_ms)
    return xr.DataArray(
        out, dims=("presentation", "neuroid", "time_bin"),
        coords={**{name: coord.variable for name, coord in activations.coords.items()
                   if coord.dims in (("presentation",), ("neuroid",)) and name != "n_steps"},
                "time_bin_start": ("time_bin", [b[0] for b in bins]),
                "time_bin_end": ("time_bin", [b[1] for b in bins])},
        attrs=dict(activations.attrs))
