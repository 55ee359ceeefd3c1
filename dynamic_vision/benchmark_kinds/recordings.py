"""Small operations on assemblies that every benchmark kind needs.

Selecting presentations by stimulus id, checking that a model answered with finite values in
the time bins it was asked for (its repeated trials averaged), and refusing time bins that end
after the clips do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.io.assemblies import average_repetitions

__all__ = ["select_stimuli", "check_model_output", "time_bins_of", "check_time_bins_in_stimuli"]


def time_bins_of(assembly: xr.DataArray) -> list[tuple[float, float]]:
    """The ``(start_ms, end_ms)`` pairs of an assembly's ``time_bin`` dimension."""
    if "time_bin" not in assembly.dims:
        raise ValueError("The assembly has no 'time_bin' dimension; expected dims "
                         "('presentation', 'neuroid', 'time_bin').")
    starts = assembly["time_bin_start"].values
    ends = assembly["time_bin_end"].values
    return [(float(s), float(e)) for s, e in zip(starts, ends)]


def select_stimuli(assembly: xr.DataArray, stimulus_ids: Sequence[str]) -> xr.DataArray:
    """The presentations of ``assembly`` whose ``stimulus_id`` is in ``stimulus_ids``.

    Presentations keep the assembly's order; every requested id must be present.
    """
    wanted = set(map(str, stimulus_ids))
    present = assembly["stimulus_id"].values.astype(str)
    missing = wanted - set(present)
    if missing:
        raise KeyError(f"{len(missing)} stimulus ids are missing from the recordings, e.g. "
                       f"{sorted(missing)[:5]}.")
    return assembly.isel(presentation=np.isin(present, list(wanted)))


def check_model_output(source: Any, candidate: Any, time_bins: Sequence[tuple[float, float]],
                       stimulus_ids: Sequence[str]) -> xr.DataArray:
    """Verify a model's recordings: dims, finite values, the requested time bins and stimuli.

    Returns the recordings with repeated trials averaged.
    """
    who = getattr(candidate, "identifier", type(candidate).__name__)
    if not isinstance(source, xr.DataArray):
        raise TypeError(f"Model '{who}' returned {type(source).__name__} from look_at while "
                        f"recording; expected an xarray.DataArray.")
    expected = {"presentation", "neuroid", "time_bin"}
    if set(source.dims) != expected:
        raise ValueError(f"Model '{who}' returned dims {source.dims}; expected "
                         f"('presentation', 'neuroid', 'time_bin').")
    source = source.transpose("presentation", "neuroid", "time_bin")
    if source.sizes["time_bin"] != len(time_bins):
        raise ValueError(f"Model '{who}' returned {source.sizes['time_bin']} time bins; "
                         f"{len(time_bins)} were requested.")
    if "time_bin_start" in source.coords:
        got = np.array(time_bins_of(source))
        if not np.allclose(got, np.array(time_bins)):
            raise ValueError(f"Model '{who}' returned time bins {got.tolist()[:3]}..., not the "
                             f"requested {list(time_bins)[:3]}...")
    if not np.all(np.isfinite(source.values)):
        raise ValueError(f"Model '{who}' returned non-finite activations (NaN or Inf).")
    missing = set(map(str, stimulus_ids)) - set(source["stimulus_id"].values.astype(str))
    if missing:
        raise ValueError(f"Model '{who}' returned no activations for {len(missing)} stimuli, "
                         f"e.g. {sorted(missing)[:5]}.")
    ids = source["stimulus_id"].values
    if len(np.unique(ids)) != len(ids):
        source = average_repetitions(source)
    return source


def check_time_bins_in_stimuli(time_bins: Sequence[tuple[float, float]], stimuli: Any,
                               owner: str, allow: bool = False) -> None:
    """Refuse time bins that end after the shortest clip does.

    A model's response in such a bin would be scored on time it was never shown (the engine
    holds its last step). Images (one frame) are exempt: a flashed image is answered after it
    disappears, and recordings are binned after its onset with a latency (e.g. 70–170 ms for a
    100 ms image). A bin may end up to one frame after a clip's end (rounding of durations).

    Parameters
    ----------
    time_bins
        ``(start_ms, end_ms)`` pairs.
    stimuli
        The StimulusSet shown (columns ``duration_ms`` and ``n_frames``; without them nothing
        can be checked).
    owner
        The benchmark, for the message.
    allow
        The documented override: score such bins knowingly.

    Raises
    ------
    ScoreGuardError
    """
    from dynamic_vision.core.errors import ScoreGuardError

    if allow or not len(time_bins) or "duration_ms" not in getattr(stimuli, "columns", ()):
        return
    frames = (stimuli["n_frames"].to_numpy(dtype=np.float64) if "n_frames" in stimuli.columns
              else np.full(len(stimuli), 2.0))
    clips = stimuli[frames > 1]
    if not len(clips):
        return
    durations = clips["duration_ms"].to_numpy(dtype=np.float64)
    fps = (clips["fps"].to_numpy(dtype=np.float64) if "fps" in clips.columns
           else np.full(len(clips), np.nan))
    tolerance = np.where(np.isfinite(fps) & (fps > 0), 1000.0 / np.where(fps > 0, fps, 1.0), 1.0)
    last_end = max(float(end) for _, end in time_bins)
    beyond = last_end > durations + np.maximum(tolerance, 1.0)
    if beyond.any():
        worst = int(np.argmin(np.where(beyond, durations, np.inf)))
        raise ScoreGuardError(
            f"Benchmark '{owner}' asks for time bins up to {last_end:g} ms, but clip "
            f"'{clips['stimulus_id'].iloc[worst]}' lasts {durations[worst]:g} ms "
            f"({int(beyond.sum())} of {len(clips)} clips end before the last bin). A model "
            f"would be scored on time it was not shown. Drop those bins (time_bins=...), use "
            f"longer clips, or pass allow_time_bins_past_stimuli=True to the benchmark to score "
            f"them knowingly.")
