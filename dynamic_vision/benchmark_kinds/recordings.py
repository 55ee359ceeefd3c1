"""Small operations on assemblies that every benchmark kind needs.

Selecting presentations by stimulus id, and checking that a model answered with finite values
in the time bins it was asked for (its repeated trials averaged).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.io.assemblies import average_repetitions

__all__ = ["select_stimuli", "check_model_output", "time_bins_of"]


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
