"""Recordings and model activations as xarray ``DataArray`` assemblies.

Every assembly keeps *flat* coordinates along its dimensions (no MultiIndex), in brainio's
conventions (see ``docs/architecture.md``):

- neural: ``("presentation", "neuroid", "time_bin")`` with ``stimulus_id``/``repetition``,
  ``neuroid_id``/``region`` and ``time_bin_start``/``time_bin_end`` (ms);
- fMRI: ``("time", "neuroid")`` with ``time_s``, ``run``, ``subject`` and attr ``tr_s``;
- behaviour: ``("presentation",)`` with ``stimulus_id``, ``choice``, ``label``, ``subject``.

:func:`save_assembly` / :func:`load_assembly` round-trip an assembly through netCDF exactly
(values, dtypes, coordinates, attributes); :func:`read_brainio_netcdf` reads Brain-Score's files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dynamic_vision.core import storage
from dynamic_vision.core.errors import DamagedFileError
from dynamic_vision.core.errors import MissingStimuliError

__all__ = [
    "neural_assembly",
    "fmri_assembly",
    "behavioral_assembly",
    "average_repetitions",
    "align_by_stimulus",
    "MissingStimuliError",
    "save_assembly",
    "load_assembly",
    "read_brainio_netcdf",
    "NEURAL_DIMS",
    "FMRI_DIMS",
    "BEHAVIORAL_DIMS",
]

NEURAL_DIMS = ("presentation", "neuroid", "time_bin")
FMRI_DIMS = ("time", "neuroid")
BEHAVIORAL_DIMS = ("presentation",)
#: Variable attribute holding what netCDF cannot say by itself (see docs/data.md).
ENCODING_ATTR = "dynamic_vision_encoding"
_FORMAT_VERSION = 1


# -- constructors ------------------------------------------------------------------------------


def _along(name: str, values: Any, length: int, dim: str) -> np.ndarray:
    """``values`` as a 1-D array of ``length`` along ``dim``; a scalar is broadcast."""
    array = np.asarray(values)
    if array.ndim == 0:
        return np.full(length, array.item(), dtype=array.dtype)
    if array.ndim != 1 or len(array) != length:
        raise ValueError(f"Coordinate '{name}' needs {length} values along '{dim}' (or one "
                         f"value for all), got shape {array.shape}.")
    return array


def _extra_coords(coords: Mapping[str, Any] | None, length: int, dim: str,
                  taken: dict[str, Any]) -> None:
    for name, values in (coords or {}).items():
        if name in taken:
            raise ValueError(f"Coordinate '{name}' is given twice.")
        taken[name] = (dim, _along(name, values, length, dim))


def _occurrence_index(ids: np.ndarray) -> np.ndarray:
    """For each element, how many times its value appeared before (0, 1, 2, ...)."""
    return pd.Series(ids).groupby(ids, sort=False).cumcount().to_numpy()


def neural_assembly(values: Any, *, stimulus_id: Sequence[str], neuroid_id: Sequence[Any],
                    region: str | Sequence[str], time_bin_start: Sequence[float],
                    time_bin_end: Sequence[float], repetition: Sequence[int] | None = None,
                    attrs: Mapping[str, Any] | None = None,
                    presentation_coords: Mapping[str, Any] | None = None,
                    neuroid_coords: Mapping[str, Any] | None = None) -> xr.DataArray:
    """A ``(presentation, neuroid, time_bin)`` assembly of recordings or activations.

    Parameters
    ----------
    values
        Array of shape (presentations, neuroids, time bins); a 2-D array is taken as one time
        bin.
    stimulus_id
        Stimulus of each presentation (repeats allowed: one presentation per trial).
    neuroid_id, region
        Per neuroid; ``region`` may be one string for all.
    time_bin_start, time_bin_end
        Bin edges in ms from stimulus onset; each end must exceed its start.
    repetition
        Trial number of each presentation; by default the occurrence count of its stimulus.
    attrs
        Free attributes (any JSON-like values, numpy arrays included).
    presentation_coords, neuroid_coords
        Further coordinates (e.g. ``{"label": [...]}``, ``{"layer": "conv3"}``).
    """
    data = np.asarray(values)
    if data.ndim == 2:
        data = data[:, :, None]
    if data.ndim != 3:
        raise ValueError(f"Neural values must be (presentation, neuroid, time_bin), got shape "
                         f"{data.shape}.")
    n_presentations, n_neuroids, n_bins = data.shape
    stimulus = _along("stimulus_id", stimulus_id, n_presentations, "presentation").astype(str)
    starts = _along("time_bin_start", time_bin_start, n_bins, "time_bin")
    ends = _along("time_bin_end", time_bin_end, n_bins, "time_bin")
    if np.any(ends <= starts):
        raise ValueError(f"Every time bin must end after it starts; got starts {starts} and "
                         f"ends {ends}.")
    coords: dict[str, Any] = {
        "stimulus_id": ("presentation", stimulus),
        "repetition": ("presentation", _occurrence_index(stimulus) if repetition is None
                       else _along("repetition", repetition, n_presentations, "presentation")),
        "neuroid_id": ("neuroid", _along("neuroid_id", neuroid_id, n_neuroids, "neuroid")),
        "region": ("neuroid", _along("region", region, n_neuroids, "neuroid")),
        "time_bin_start": ("time_bin", starts),
        "time_bin_end": ("time_bin", ends),
    }
    _extra_coords(presentation_coords, n_presentations, "presentation", coords)
    _extra_coords(neuroid_coords, n_neuroids, "neuroid", coords)
    return xr.DataArray(data, dims=NEURAL_DIMS, coords=coords, attrs=dict(attrs or {}))


def fmri_assembly(values: Any, *, time_s: Sequence[float], tr_s: float,
                  run: Any, subject: Any, neuroid_id: Sequence[Any],
                  region: str | Sequence[str], attrs: Mapping[str, Any] | None = None
                  ) -> xr.DataArray:
    """A ``(time, neuroid)`` fMRI time series.

    Parameters
    ----------
    values
        Array of shape (volumes, voxels or ROIs).
    time_s
        Onset of each volume in seconds.
    tr_s
        Repetition time in seconds (stored as attr ``tr_s``).
    run, subject
        Per volume, or one value for all.
    neuroid_id, region
        Per voxel/ROI; ``region`` may be one string for all.
    """
    data = np.asarray(values)
    if data.ndim != 2:
        raise ValueError(f"fMRI values must be (time, neuroid), got shape {data.shape}.")
    if not (np.isfinite(tr_s) and tr_s > 0):
        raise ValueError(f"tr_s must be a positive number of seconds, got {tr_s!r}.")
    n_time, n_neuroids = data.shape
    coords = {
        "time_s": ("time", _along("time_s", time_s, n_time, "time")),
        "run": ("time", _along("run", run, n_time, "time")),
        "subject": ("time", _along("subject", subject, n_time, "time")),
        "neuroid_id": ("neuroid", _along("neuroid_id", neuroid_id, n_neuroids, "neuroid")),
        "region": ("neuroid", _along("region", region, n_neuroids, "neuroid")),
    }
    return xr.DataArray(data, dims=FMRI_DIMS, coords=coords,
                        attrs={**dict(attrs or {}), "tr_s": float(tr_s)})


def behavioral_assembly(*, stimulus_id: Sequence[str], choice: Sequence[Any],
                        label: Sequence[Any], subject: Any,
                        attrs: Mapping[str, Any] | None = None, **coords: Any) -> xr.DataArray:
    """A ``(presentation,)`` assembly of choices, one per trial.

    The values are the choices; ``choice``, ``label`` (the correct answer) and ``subject`` are
    coordinates too, and any further keyword becomes a presentation coordinate.
    """
    choices = np.asarray(choice)
    if choices.ndim != 1:
        raise ValueError(f"choice must be one value per trial, got shape {choices.shape}.")
    n = len(choices)
    all_coords: dict[str, Any] = {
        "stimulus_id": ("presentation", _along("stimulus_id", stimulus_id, n,
                                               "presentation").astype(str)),
        "choice": ("presentation", choices),
        "label": ("presentation", _along("label", label, n, "presentation")),
        "subject": ("presentation", _along("subject", subject, n, "presentation")),
    }
    _extra_coords(coords, n, "presentation", all_coords)
    return xr.DataArray(choices, dims=BEHAVIORAL_DIMS, coords=all_coords,
                        attrs=dict(attrs or {}))


# -- operations ----------------------------------------------------------------------------


def average_repetitions(assembly: xr.DataArray) -> xr.DataArray:
    """Mean over the repetitions of each stimulus (NaNs ignored).

    Presentations come out in the order of each stimulus' first appearance. Presentation
    coordinates that are constant within every stimulus are kept; the others (``repetition``,
    per-trial facts) are dropped. Other dimensions, their coordinates and attrs are kept.
    """
    if "presentation" not in assembly.dims or "stimulus_id" not in assembly.coords:
        raise ValueError("average_repetitions needs a 'presentation' dimension with a "
                         "'stimulus_id' coordinate.")
    axis = assembly.get_axis_num("presentation")
    ids = assembly["stimulus_id"].values
    codes, uniques = pd.factorize(ids)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    values = np.take(np.asarray(assembly.values, dtype=np.float64), order, axis=axis)
    finite = ~np.isnan(values)
    sums = np.add.reduceat(np.where(finite, values, 0.0), starts, axis=axis)
    counts = np.add.reduceat(finite, starts, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    dtype = assembly.dtype if np.issubdtype(assembly.dtype, np.floating) else np.float64
    coords: dict[str, Any] = {}
    for name, coord in assembly.coords.items():
        if coord.dims != ("presentation",):
            if "presentation" not in coord.dims:
                coords[name] = coord
            continue
        column = coord.values[order]
        firsts = column[starts]
        within = pd.Series(column)
        first_of_group = pd.Series(np.repeat(firsts, np.diff(np.r_[starts, len(column)])))
        if bool((within.eq(first_of_group) | (within.isna() & first_of_group.isna())).all()):
            coords[name] = ("presentation", firsts)
    coords["stimulus_id"] = ("presentation", np.asarray(uniques, dtype=ids.dtype))
    return xr.DataArray(means.astype(dtype, copy=False), dims=assembly.dims, coords=coords,
                        attrs=dict(assembly.attrs), name=assembly.name)


def align_by_stimulus(source: xr.DataArray, target: xr.DataArray) -> xr.DataArray:
    """``source``'s presentations reordered (and repeated) to follow ``target``'s stimulus_id.

    ``source`` must show each stimulus once (e.g. model activations); ``target`` may repeat.

    Raises
    ------
    MissingStimuliError
        (a ``KeyError``) listing the target stimuli that ``source`` lacks.
    ValueError
        ``source`` repeats a stimulus_id.
    """
    source_ids = pd.Index(source["stimulus_id"].values)
    if not source_ids.is_unique:
        duplicated = source_ids[source_ids.duplicated()].unique()[:5].tolist()
        raise ValueError(f"align_by_stimulus needs one source presentation per stimulus; "
                         f"{duplicated} repeat. Average repetitions first.")
    wanted = np.asarray(target["stimulus_id"].values)
    positions = source_ids.get_indexer(wanted)
    if np.any(positions < 0):
        missing = [str(sid) for sid in pd.unique(wanted[positions < 0])]
        shown = ", ".join(map(repr, missing[:10])) + (" ..." if len(missing) > 10 else "")
        raise MissingStimuliError(f"The source lacks {len(missing)} of the target's stimuli: "
                                  f"{shown}", missing)
    return source.isel(presentation=positions)


# -- netCDF storage ------------------------------------------------------------------------


def _encode_value(value: Any) -> Any:
    """Tag the values JSON cannot tell apart (tuples, numpy arrays and scalars)."""
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(f"Assembly attr dicts need string keys, got {list(value)}.")
        return {"__dict__": {k: _encode_value(v) for k, v in value.items()}}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode_value(v) for v in value]}
    if isinstance(value, list):
        return [_encode_value(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufU":
            raise ValueError(f"Cannot store an attr array of dtype {value.dtype}.")
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str, "shape": value.shape}
    if isinstance(value, np.generic):
        return {"__numpy__": value.item(), "dtype": value.dtype.str}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"Cannot store an attr of type {type(value).__name__} ({value!r}); use "
                     f"JSON-like values or numpy arrays.")


def _decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode_value(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__dict__" in value:
        return {k: _decode_value(v) for k, v in value["__dict__"].items()}
    if "__tuple__" in value:
        return tuple(_decode_value(v) for v in value["__tuple__"])
    if "__ndarray__" in value:
        return np.array(value["__ndarray__"], dtype=np.dtype(value["dtype"])).reshape(
            value["shape"])
    if "__numpy__" in value:
        return np.dtype(value["dtype"]).type(value["__numpy__"])
    raise ValueError(f"Unknown attr encoding {value!r}")


def _native_attr(value: Any) -> bool:
    """Attrs that netCDF stores as they are (kept visible to other tools as well)."""
    if isinstance(value, bool):
        return False  # netCDF has no boolean attributes
    if isinstance(value, (str, int, float, np.integer, np.floating)):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iuf"


def save_assembly(assembly: xr.DataArray, path: str | os.PathLike[str]) -> Path:
    """Write an assembly to netCDF-4 (h5netcdf), atomically, so :func:`load_assembly` gives it
    back exactly (values, dtypes, coordinates, attrs, name).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    if any(isinstance(index, pd.MultiIndex) for index in assembly.indexes.values()):
        raise ValueError(f"Cannot save to {path}: the assembly has a MultiIndex; call "
                         f".reset_index(...) to flatten it into coordinates first.")
    if ENCODING_ATTR in assembly.attrs:
        raise ValueError(f"The attr name '{ENCODING_ATTR}' is reserved.")
    variables = {"__values__": assembly.variable,
                 **{name: coord.variable for name, coord in assembly.coords.items()}}
    encoding = {"format": _FORMAT_VERSION,
                "dtypes": {name: var.dtype.str for name, var in variables.items()},
                "attrs": _encode_value(dict(assembly.attrs)),
                "coord_attrs": {name: _encode_value(dict(coord.attrs))
                                for name, coord in assembly.coords.items() if coord.attrs}}
    stored = assembly.copy(data=assembly.values)
    stored.attrs = {k: v for k, v in assembly.attrs.items() if _native_attr(v)}
    stored.attrs[ENCODING_ATTR] = json.dumps(encoding)
    for name in stored.coords:
        stored[name].attrs = {k: v for k, v in stored[name].attrs.items() if _native_attr(v)}
    for name, var in variables.items():  # fixed-width text becomes variable-length strings
        if var.dtype.kind == "U":
            if name == "__values__":
                stored = stored.astype(object)
            else:
                stored = stored.assign_coords({name: stored[name].astype(object)})
    data_name = assembly.name if assembly.name is not None else "__xarray_dataarray_variable__"
    compress = {"zlib": True, "complevel": 4} if assembly.dtype.kind in "biuf" else {}
    with storage.atomic_path(path) as tmp:
        stored.to_netcdf(tmp, engine="h5netcdf", encoding={data_name: compress}
                         if compress else None)
    return path


def load_assembly(path: str | os.PathLike[str]) -> xr.DataArray:
    """Read an assembly written by :func:`save_assembly` (or any single-variable netCDF)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No assembly at {path}.")
    try:
        with xr.open_dataarray(path, engine="h5netcdf") as opened:
            assembly = opened.load()
    except (OSError, ValueError, KeyError) as error:
        raise DamagedFileError(f"Cannot read the assembly {path} ({type(error).__name__}: "
                               f"{error}); the file is damaged or not an assembly. Delete it to "
                               f"have it fetched or generated again.", path=path) from error
    raw = assembly.attrs.pop(ENCODING_ATTR, None)
    if raw is None:
        return assembly
    encoding = json.loads(raw)
    if encoding.get("format") != _FORMAT_VERSION:
        raise ValueError(f"{path} was written by a newer dynamic_vision (format "
                         f"{encoding.get('format')}); upgrade to read it.")
    dtypes = encoding["dtypes"]
    assembly = assembly.astype(np.dtype(dtypes["__values__"]))
    assembly = assembly.assign_coords({
        name: coord.astype(np.dtype(dtypes[name])) for name, coord in assembly.coords.items()
        if name in dtypes and coord.dtype != np.dtype(dtypes[name])})
    assembly.attrs = _decode_value(encoding["attrs"])
    coord_attrs = encoding.get("coord_attrs", {})
    for name in assembly.coords:
        assembly[name].attrs = _decode_value(coord_attrs[name]) if name in coord_attrs else {}
    if assembly.name == "__xarray_dataarray_variable__":
        assembly.name = None
    return assembly


def read_brainio_netcdf(path: str | os.PathLike[str]) -> xr.DataArray:
    """Read a Brain-Score (brainio) assembly file into this library's conventions.

    The file's single data variable is read whatever its name; coordinates stay flat along
    their dimensions (brainio rebuilds a MultiIndex per dimension from them, this library
    keeps them as they are); ``image_id`` is copied to ``stimulus_id`` when the latter is
    absent; byte strings are decoded; the standard dimensions are put in the order
    ``(presentation, neuroid, time_bin)``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No brainio assembly at {path}.")
    try:
        opened = xr.open_dataarray(path, engine="h5netcdf")
    except (OSError, ValueError):  # netCDF-3 classic files are not HDF5
        opened = xr.open_dataarray(path, engine="scipy")
    with opened:
        assembly = opened.load()
    decoded = {name: (coord.dims, np.char.decode(coord.values, "utf-8"))
               for name, coord in assembly.coords.items() if coord.dtype.kind == "S"}
    assembly = assembly.assign_coords(decoded)
    # A dimension coordinate (e.g. an integer 'presentation' index) is not a level: drop it.
    assembly = assembly.drop_vars([d for d in assembly.dims if d in assembly.coords])
    if "image_id" in assembly.coords and "stimulus_id" not in assembly.coords:
        assembly = assembly.assign_coords(stimulus_id=assembly["image_id"])
    order = [d for d in NEURAL_DIMS if d in assembly.dims]
    order += [d for d in assembly.dims if d not in order]
    return assembly.transpose(*order)
