"""One Allen Neuropixels session's natural-movie spikes as a time-binned assembly.

The NWB file's ``units`` table gives each unit's spike times (ragged ``spike_times``) and its
``peak_channel_id``; the ``electrodes`` table gives each channel's ``location`` (the brain
area, e.g. ``VISp``, ``LGd``); ``intervals/<movie>_presentations`` logs every displayed movie
frame (``start_time``, ``stop_time``, ``frame``). Counts come from
:func:`dynamic_vision.io.spikes.count_spikes` on frame-aligned bins and are divided by each bin's
logged duration, so values are firing rates in spikes/s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.io.assemblies import neural_assembly
from dynamic_vision.io.datasets import DataSpec
from dynamic_vision.io.spikes import count_spikes, movie_trials, split_ragged

__all__ = ["clip_ids", "read_session", "load_session"]


def clip_ids(movie: str, n_clips: int) -> list[str]:
    """Stimulus ids of a movie's clips, shared by recordings and stimulus set."""
    return [f"{movie}-{clip:03d}" for clip in range(n_clips)]


def read_session(path: str | Path, movie: str) -> dict[str, Any]:
    """Units, their areas, spike times and the movie's frame table from an NWB file."""
    from pynwb import NWBHDF5IO

    path = Path(path)
    with NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
        nwb = io.read()
        table_name = f"{movie}_presentations"
        if nwb.intervals is None or table_name not in nwb.intervals:
            available = sorted(nwb.intervals) if nwb.intervals is not None else []
            raise ValueError(f"{path} has no '{table_name}' table; it has {available}.")
        frames = nwb.intervals[table_name].to_dataframe()[["start_time", "stop_time", "frame"]]
        units = nwb.units
        spikes = split_ragged(units.spike_times.data[:], units.spike_times_index.data[:])
        unit_ids = np.asarray(units.id.data[:])
        peak = np.asarray(units["peak_channel_id"].data[:])
        channel_ids = np.asarray(nwb.electrodes.id.data[:])
        locations = np.asarray(nwb.electrodes["location"].data[:]).astype(str)
    area_of = dict(zip(channel_ids.tolist(), locations.tolist()))
    missing = sorted(set(peak.tolist()) - set(area_of))
    if missing:
        raise ValueError(f"{path}: units peak on channels {missing[:5]} that the electrodes "
                         f"table does not list.")
    frames = frames.assign(frame=frames["frame"].astype(float).astype(np.int64))
    return {"unit_ids": unit_ids, "areas": np.array([area_of[c] for c in peak.tolist()]),
            "spike_times": spikes, "frames": frames}


def load_session(spec: DataSpec, folder: Path, progress: bool = True, **_: Any
                 ) -> xr.DataArray:
    """Download (once, verified) and bin one session.

    Returns
    -------
    xarray.DataArray
        ``(presentation, neuroid, time_bin)`` firing rates (spikes/s): one presentation per
        clip and movie repeat (coords ``stimulus_id``, ``repetition``), one neuroid per unit
        (``neuroid_id`` = unit id, ``region`` = area), time bins in ms from clip onset.
    """
    from dynamic_vision.data.allen_neuropixels.remote import fetch_dandi_asset

    options = spec.loader_options
    path = fetch_dandi_asset(folder, api=options["api"], asset_id=options["asset_id"],
                             asset_path=options["asset_path"], progress=progress)
    session = read_session(path, options["movie"])
    trials = movie_trials(session["frames"], frames_per_clip=int(options["frames_per_clip"]),
                          frames_per_bin=int(options["frames_per_bin"]))
    counts = count_spikes(session["spike_times"], trials.edges)
    durations = np.diff(trials.edges, axis=1)[:, None, :]
    bins = trials.time_bins_ms
    n_clips = int(trials.clip.max()) + 1
    ids = np.array(clip_ids(options["movie"], n_clips))
    return neural_assembly(
        counts / durations, stimulus_id=ids[trials.clip], repetition=trials.repeat,
        neuroid_id=session["unit_ids"], region=session["areas"],
        time_bin_start=[b[0] for b in bins], time_bin_end=[b[1] for b in bins],
        attrs={"identifier": spec.identifier, "session": options["session"],
               "unit": "spikes/s", "source": path.name})
