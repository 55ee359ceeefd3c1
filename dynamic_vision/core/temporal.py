"""Alignment of model time steps to a benchmark's time bins.

Convention
----------
A model time step ``i`` covers the half-open interval ``[step_start[i], step_end[i])`` in
milliseconds from stimulus onset (for a frame-wise model at ``fps`` frames per second, frame
``i`` covers ``[1000 i / fps, 1000 (i + 1) / fps)``; a video model's output step covers the
frames that fed it). The value of a time bin ``[bin_start, bin_end)`` is the average of the
steps weighted by how many milliseconds each step overlaps the bin. A bin that overlaps no step
takes the value of the nearest step (the model's state persists after the last frame and is
that of the first frame before it); this is how a recording window that outlasts a short
stimulus is filled.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from typing import TYPE_CHECKING

from dynamic_vision.core.brain_model import TimeBins, normalize_time_bins

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["overlap_weights", "align_time", "align_activations", "frame_intervals"]


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


def align_time(values: np.ndarray, step_start: Sequence[float], step_end: Sequence[float],
               time_bins: TimeBins, axis: int = -1) -> np.ndarray:
    """Average ``values`` over model time steps (along ``axis``) into ``time_bins``.

    Returns a floating array with ``axis`` replaced by one entry per time bin. A bin is NaN
    only where a NaN step carries weight in it.
    """
    weights = overlap_weights(step_start, step_end, time_bins)
    moved = np.moveaxis(np.asarray(values), axis, -1)
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


def align_activations(activations: xr.DataArray, time_bins: TimeBins) -> xr.DataArray:
    """Average one layer's ``(presentation, neuroid, time_step)`` steps into ``time_bins``.

    The steps' intervals are the coords ``step_start_ms`` / ``step_end_ms``. Each stimulus
    uses only its own valid steps (coord ``n_steps``), so a short clip's missing steps never
    dilute a bin: bins after its end take its last step.
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
                               axis=-1)
    return xr.DataArray(
        out, dims=("presentation", "neuroid", "time_bin"),
        coords={**{name: coord.variable for name, coord in activations.coords.items()
                   if coord.dims in (("presentation",), ("neuroid",)) and name != "n_steps"},
                "time_bin_start": ("time_bin", [b[0] for b in bins]),
                "time_bin_end": ("time_bin", [b[1] for b in bins])},
        attrs=dict(activations.attrs))
