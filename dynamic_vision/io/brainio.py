"""Brain-Score (BrainIO) data in this library's contracts.

BrainIO assemblies keep stimulus metadata in the stimulus set (Brain-Score merges it onto
presentations when loading), record some datasets in 1 ms bins that benchmarks average into
wider ones, and store behavioural trials with the choice as values and ``truth`` /
``sample_obj`` / ``dist_obj`` as coordinates. The functions here make those files look like
every other recording: flat presentation coordinates from the stimulus set, the benchmark's time
bins, and ``(presentation,)`` trials with ``choice``, ``label``, ``distractor`` and ``subject``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["merge_stimulus_metadata", "rebin_time", "brainio_trials", "load_recordings",
           "load_trials"]


def merge_stimulus_metadata(assembly: xr.DataArray, stimuli: Any) -> xr.DataArray:
    """Add every stimulus-set column the assembly lacks as a presentation coordinate.

    Parameters
    ----------
    assembly
        Recordings with a ``stimulus_id`` coordinate on ``presentation``.
    stimuli
        A StimulusSet (or DataFrame) with ``stimulus_id``; media columns (``path``, ``fps``,
        ``n_frames``, ...) are not copied.

    Raises
    ------
    KeyError
        A presentation's ``stimulus_id`` is not in the stimulus set (the first few are named).
    """
    media = {"path", "fps", "n_frames", "duration_ms", "width", "height"}
    table = stimuli.set_index(stimuli["stimulus_id"].astype(str))
    ids = assembly["stimulus_id"].values.astype(str)
    unknown = sorted(set(ids) - set(table.index))
    if unknown:
        raise KeyError(f"{len(unknown)} stimulus ids of the recordings are not in stimulus set "
                       f"'{getattr(stimuli, 'identifier', '?')}', e.g. {unknown[:3]}.")
    rows = table.loc[ids]
    new = {column: ("presentation", rows[column].to_numpy())
           for column in table.columns
           if column not in media and column != "stimulus_id" and column not in assembly.coords}
    return assembly.assign_coords(new)


def rebin_time(assembly: xr.DataArray, time_bins: Sequence[tuple[float, float]]) -> xr.DataArray:
    """Average the assembly's time bins into wider ones, weighted by overlap in ms.

    E.g. FreemanZiemba2013's 300 bins of 1 ms into Brain-Score's single 50-200 ms bin. Uses the
    same overlap rule as model alignment (:func:`dynamic_vision.core.temporal.align_time`).
    """
    from dynamic_vision.core.temporal import align_time

    starts = assembly["time_bin_start"].values.astype(np.float64)
    ends = assembly["time_bin_end"].values.astype(np.float64)
    bins = np.asarray(time_bins, dtype=np.float64)
    if bins.ndim != 2 or bins.shape[1] != 2:
        raise ValueError(f"time_bins must be (start_ms, end_ms) pairs, got {time_bins!r}.")
    if bins[:, 0].min() < starts.min() or bins[:, 1].max() > ends.max():
        raise ValueError(f"Time bins {time_bins} reach outside the recordings' "
                         f"{starts.min():g}-{ends.max():g} ms.")
    assembly = assembly.transpose(..., "time_bin")
    values = align_time(assembly.values, starts, ends, [tuple(b) for b in bins], axis=-1)
    coords = {name: coord for name, coord in assembly.coords.items()
              if "time_bin" not in coord.dims}
    coords.update(time_bin_start=("time_bin", bins[:, 0]), time_bin_end=("time_bin", bins[:, 1]))
    return xr.DataArray(values, dims=assembly.dims, coords=coords, attrs=assembly.attrs,
                        name=assembly.name)


def brainio_trials(assembly: xr.DataArray, subject: str = "pooled") -> xr.DataArray:
    """BrainIO behavioural trials in the behavioural contract.

    The values (the chosen object) become ``choice``; ``label`` is the object shown
    (``truth``, else ``sample_obj``); ``distractor`` is ``dist_obj``; ``subject`` is kept when
    present and otherwise set to ``subject`` (Rajalingham2018's public trials are pooled over
    human workers). Every other coordinate is kept.
    """
    if assembly.dims != ("presentation",):
        raise ValueError(f"Behavioural trials must have the single dim 'presentation', got "
                         f"{assembly.dims}.")
    label_coord = "truth" if "truth" in assembly.coords else "sample_obj"
    missing = [c for c in ("stimulus_id", label_coord, "dist_obj") if c not in assembly.coords]
    if missing:
        raise ValueError(f"BrainIO trials lack coordinates {missing}; found "
                         f"{sorted(assembly.coords)}.")
    choices = assembly.values.astype(str)
    coords = {name: ("presentation", np.asarray(coord.values))
              for name, coord in assembly.coords.items() if coord.dims == ("presentation",)}
    coords["choice"] = ("presentation", choices)
    coords["label"] = ("presentation", assembly[label_coord].values.astype(str))
    coords["distractor"] = ("presentation", assembly["dist_obj"].values.astype(str))
    if "subject" not in coords:
        coords["subject"] = ("presentation", np.full(len(choices), subject))
    return xr.DataArray(choices, dims=("presentation",), coords=coords, attrs=assembly.attrs)


def load_recordings(dataset: str, stimulus_set: str,
                    time_bins: Sequence[tuple[float, float]] | None = None) -> xr.DataArray:
    """Load a BrainIO neural dataset from the registry with its stimulus metadata merged on
    (and averaged into ``time_bins`` when given)."""
    from dynamic_vision.core.registry import dataset_registry, stimulus_set_registry

    assembly = merge_stimulus_metadata(dataset_registry.load(dataset),
                                       stimulus_set_registry.load(stimulus_set))
    return rebin_time(assembly, time_bins) if time_bins is not None else assembly


def load_trials(dataset: str) -> xr.DataArray:
    """Load behavioural trials from the registry, in the behavioural contract (BrainIO
    trials registered with the core ``brainio_netcdf`` loader are converted here; those with
    the ``brainio_trials`` loader already are)."""
    from dynamic_vision.core.registry import dataset_registry

    trials = dataset_registry.load(dataset)
    return trials if "label" in trials.coords else brainio_trials(trials)
