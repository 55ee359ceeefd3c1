"""BrainIO files, both ways: stimulus sets (CSV + zip) and assemblies (netCDF) as Brain-Score
packages them, so that ``brainscore_core`` reads what this library writes and the reverse.

Brain-Score's conventions (brainscore_core 2.5.0's packaging), followed here:

- a stimulus set ``<id>`` is ``stimulus_<id with '.' -> '_'>.csv`` and ``.zip``. The zip is flat:
  each stimulus file is stored as ``<stimulus_id><extension>`` (or
  ``<stimulus_path_within_store><extension>`` when that column exists); the CSV holds
  ``stimulus_id``, the metadata columns and ``filename`` (the name in the zip), written by
  pandas without an index. The extracted zip must hold exactly the files the CSV lists.
- an assembly ``<id>`` is ``assy_<id with '.' -> '_'>.nc``: one data variable ``data`` (zlib level
  9), every coordinate flat along its dimension, the assembly's attrs (with
  ``stimulus_set_identifier``) on the file. Presentations carry ``stimulus_id``; stimulus
  metadata lives in the stimulus set and is merged on when loading.
- every file is identified by the sha1 of its bytes (hex), which Brain-Score's data plugins pin.

This library's media columns (``path``, ``fps``, ``n_frames``, ``duration_ms``, ``width``,
``height``) describe files on this machine and are re-probed when reading, so they are not
written. Attributes netCDF cannot hold (booleans, dicts, lists) are written as JSON text; attrs
that are ``None`` are left out, as Brain-Score does.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dynamic_vision.core import storage

__all__ = ["BrainioFile", "stimulus_file_names", "assembly_file_name",
           "write_brainio_stimulus_set", "write_brainio_assembly", "read_brainio_stimulus_set",
           "read_brainio_assembly", "check_same_files", "sha1_file", "write_netcdf",
           "netcdf_attrs"]

#: Columns of this library's stimulus sets that describe local files, not stimuli.
LOCAL_COLUMNS = ("path", "fps", "n_frames", "duration_ms", "width", "height")
#: Brain-Score's optional column naming a stimulus's file inside the zip (without extension).
PATH_WITHIN_STORE = "stimulus_path_within_store"
# A fixed timestamp for zip members, so that the same stimuli give the same zip and sha1.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class BrainioFile:
    """A file written in BrainIO's format and how Brain-Score identifies it.

    Attributes
    ----------
    path
        Where it was written.
    sha1
        Hex sha1 of its bytes (what a Brain-Score data plugin pins).
    size
        Bytes.
    """

    path: Path
    sha1: str
    size: int

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> BrainioFile:
        path = Path(path)
        return cls(path, sha1_file(path), path.stat().st_size)


def sha1_file(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """The sha1 hex digest of a file (BrainIO's file identity)."""
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stimulus_file_names(identifier: str) -> tuple[str, str]:
    """``("stimulus_<id>.csv", "stimulus_<id>.zip")`` with '.' in the identifier as '_'."""
    stem = "stimulus_" + identifier.replace(".", "_")
    return f"{stem}.csv", f"{stem}.zip"


def assembly_file_name(identifier: str) -> str:
    """``"assy_<id>.nc"`` with '.' in the identifier as '_'."""
    return "assy_" + identifier.replace(".", "_") + ".nc"


# -- stimulus sets -----------------------------------------------------------------------------


def _archive_names(table: pd.DataFrame, paths: Sequence[Path]) -> list[str]:
    stems = table[PATH_WITHIN_STORE].astype(str) if PATH_WITHIN_STORE in table.columns \
        else table["stimulus_id"].astype(str)
    names = [f"{stem}{path.suffix}" for stem, path in zip(stems, paths)]
    bad = [n for n in names if not n or "/" in n or "\\" in n or n.startswith(".")]
    if bad:
        raise ValueError(f"Stimulus ids {bad[:3]} cannot name files in a flat BrainIO zip (no "
                         f"path separators, no leading '.'); add a '{PATH_WITHIN_STORE}' column "
                         f"with file-safe names.")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Several stimuli would be stored as {duplicates[:3]} in the zip; "
                         f"stimulus ids (or '{PATH_WITHIN_STORE}') must be unique.")
    return names


def _stimulus_paths(stimuli: pd.DataFrame) -> list[Path]:
    if "path" in stimuli.columns:
        paths = [Path(p) for p in stimuli["path"]]
    elif hasattr(stimuli, "get_stimulus"):  # a Brain-Score StimulusSet
        paths = [Path(stimuli.get_stimulus(i)) for i in stimuli["stimulus_id"]]
    else:
        raise ValueError("The stimulus set has no 'path' column giving each stimulus's file.")
    missing = [(sid, str(p)) for sid, p in zip(stimuli["stimulus_id"], paths) if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"{len(missing)} stimulus files are missing, e.g. "
                                f"{missing[:3]} (stimulus_id, path).")
    return paths


def write_brainio_stimulus_set(stimuli: pd.DataFrame, identifier: str,
                       folder: str | os.PathLike[str]) -> dict[str, BrainioFile]:
    """Write a stimulus set as BrainIO's CSV and zip; returns ``{"csv": ..., "zip": ...}``.

    Parameters
    ----------
    stimuli
        A :class:`~dynamic_vision.io.stimuli.StimulusSet` (or a table with ``stimulus_id`` and
        ``path``). A ``filename`` column is replaced by the names in the zip.
    identifier
        The stimulus set's identifier, e.g. ``"lab.Smith2026"``; it names the files.
    folder
        Where to write ``stimulus_<id>.csv`` and ``stimulus_<id>.zip``.

    Raises
    ------
    ValueError
        No ``stimulus_id`` column, duplicate ids, or ids that cannot name files.
    FileNotFoundError
        A stimulus file is missing.
    """
    if "stimulus_id" not in stimuli.columns:
        raise ValueError("A BrainIO stimulus set needs a 'stimulus_id' column.")
    if len(stimuli) == 0:
        raise ValueError(f"Stimulus set '{identifier}' is empty.")
    ids = stimuli["stimulus_id"].astype(str)
    if ids.duplicated().any():
        raise ValueError(f"Stimulus set '{identifier}' has duplicate stimulus ids, e.g. "
                         f"{ids[ids.duplicated()].unique()[:3].tolist()}.")
    paths = _stimulus_paths(stimuli)
    names = _archive_names(stimuli, paths)
    folder = Path(folder)
    csv_name, zip_name = stimulus_file_names(identifier)
    with storage.atomic_path(folder / zip_name) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        for path, name in zip(paths, names):
            member = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            member.external_attr = 0o644 << 16
            archive.writestr(member, path.read_bytes())
    table = pd.DataFrame(stimuli).drop(
        columns=[c for c in (*LOCAL_COLUMNS, PATH_WITHIN_STORE, "filename")
                 if c in stimuli.columns])
    table["stimulus_id"] = ids.to_numpy()
    table["filename"] = names
    with storage.atomic_write(folder / csv_name, "w") as handle:
        table.to_csv(handle, index=False)
    return {"csv": BrainioFile.of(folder / csv_name), "zip": BrainioFile.of(folder / zip_name)}


def check_same_files(csv_path: Path, archive: Path, media_root: Path,
                     listed: Sequence[str]) -> None:
    """BrainIO's rule: the extracted files are exactly those the CSV lists, nothing more."""
    present = {p.relative_to(media_root).as_posix() for p in media_root.rglob("*")
               if p.is_file()}
    expected = {Path(name).as_posix() for name in listed}
    missing, extra = sorted(expected - present), sorted(present - expected)
    if missing or extra:
        raise ValueError(
            f"Stimulus archive {archive} does not hold exactly the files {csv_path.name} lists: "
            f"{len(missing)} missing (e.g. {missing[:3]}), {len(extra)} extra (e.g. "
            f"{extra[:3]}). Delete {media_root} and the archive, then fetch again.")


def read_brainio_stimulus_set(csv_path: str | os.PathLike[str],
                      zip_path: str | os.PathLike[str] | None = None, *,
                      identifier: str | None = None, media_root: str | os.PathLike[str] | None
                      = None, filename_column: str = "filename",
                      image_duration_ms: float = 100.0) -> Any:
    """Read a BrainIO stimulus set (CSV and zip) into a
    :class:`~dynamic_vision.io.stimuli.StimulusSet`.

    Parameters
    ----------
    csv_path, zip_path
        The two files; ``zip_path`` defaults to the CSV's name with ``.zip``.
    identifier
        The set's identifier (default: from the file name, ``stimulus_`` removed).
    media_root
        Where the zip is (or was) extracted; default: beside it, named like it without
        ``.zip`` (BrainIO's own place).
    filename_column
        The CSV column naming each stimulus's file in the zip.
    image_duration_ms
        Presentation time given to still images (BrainIO does not record it).
    """
    from dynamic_vision.io.download import extract_archive
    from dynamic_vision.io.stimuli import StimulusSet

    csv_path = Path(csv_path)
    archive = Path(zip_path) if zip_path is not None else csv_path.with_suffix(".zip")
    root = Path(media_root) if media_root is not None else archive.with_suffix("")
    if not root.exists():
        extract_archive(archive, root)
    table = pd.read_csv(csv_path)
    if "stimulus_id" not in table.columns:
        if "image_id" not in table.columns:
            raise ValueError(f"{csv_path} has neither 'stimulus_id' nor 'image_id'.")
        table["stimulus_id"] = table["image_id"]
    table["stimulus_id"] = table["stimulus_id"].astype(str)
    if filename_column not in table.columns:
        raise ValueError(f"{csv_path} has no '{filename_column}' column naming the files in "
                         f"{archive.name}.")
    check_same_files(csv_path, archive, root, table[filename_column].astype(str).tolist())
    files = {sid: root / str(name) for sid, name in zip(table["stimulus_id"],
                                                         table[filename_column])}
    name = identifier or csv_path.stem.removeprefix("stimulus_")
    return StimulusSet.from_files(files, name, metadata=table,
                                  image_duration_ms=image_duration_ms)


# -- assemblies --------------------------------------------------------------------------------

_REQUIRED = {"presentation": ("stimulus_id",), "neuroid": ("neuroid_id",),
             "time_bin": ("time_bin_start", "time_bin_end")}


def _assembly_class(assembly: xr.DataArray) -> str:
    if "neuroid" in assembly.dims:
        return "NeuroidAssembly"
    if "presentation" in assembly.dims:
        return "BehavioralAssembly"
    return "DataAssembly"


def _validate(assembly: xr.DataArray, identifier: str, assembly_class: str) -> None:
    where = f"Assembly '{identifier}'"
    if assembly.size == 0:
        raise ValueError(f"{where} is empty.")
    if assembly_class == "NeuroidAssembly" and \
            set(assembly.dims) not in ({"presentation", "neuroid"},
                                       {"presentation", "neuroid", "time_bin"}):
        raise ValueError(f"{where}: a NeuroidAssembly has dims presentation, neuroid[, "
                         f"time_bin], got {assembly.dims}.")
    for dim, names in _REQUIRED.items():
        if dim not in assembly.dims:
            continue
        missing = [n for n in names if n not in assembly.coords or assembly[n].dims != (dim,)]
        if missing:
            raise ValueError(f"{where}: dimension '{dim}' needs the coordinates {missing}.")


def _netcdf_attr(value: Any) -> Any:
    if isinstance(value, (str, int, float, np.integer, np.floating)) and \
            not isinstance(value, bool):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iuf":
        return value
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return json.dumps(value, default=str)


def netcdf_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """``attrs`` as netCDF stores them: ``None`` and xarray/pandas objects left out, the rest
    native or JSON text."""
    return {str(k): _netcdf_attr(v) for k, v in attrs.items()
            if v is not None and not isinstance(v, (xr.DataArray, xr.Dataset, pd.DataFrame))}


def _flat(assembly: xr.DataArray) -> xr.DataArray:
    """MultiIndexes (Brain-Score's assemblies have one per dimension) as flat coordinates."""
    multi = [name for name, index in assembly.indexes.items()
             if isinstance(index, pd.MultiIndex)]
    return assembly.reset_index(multi) if multi else assembly


def write_netcdf(assembly: xr.DataArray, path: str | os.PathLike[str], *,
                 group: str | None = None, append: bool = False) -> None:
    """Write one DataArray as BrainIO does (variable ``data``, zlib 9 for numbers, flat
    coordinates, file-level attrs) to ``path`` or to a ``group`` of it."""
    flat = _flat(assembly)
    flat = flat.copy(data=flat.values)
    flat.attrs = netcdf_attrs(assembly.attrs)
    for name in flat.coords:
        flat[name].attrs = netcdf_attrs(flat[name].attrs)
        if flat[name].dtype.kind == "U":  # variable-length text, as Brain-Score reads it
            flat = flat.assign_coords({name: flat[name].astype(object)})
    if flat.dtype.kind == "U":
        flat = flat.astype(object)
    dataset = flat.to_dataset(name="data", promote_attrs=True)
    encoding = {"data": {"zlib": True, "complevel": 9}} if flat.dtype.kind in "biuf" else {}
    dataset.to_netcdf(path, mode="a" if append else "w", group=group, engine="h5netcdf",
                      encoding=encoding)


def write_brainio_assembly(assembly: xr.DataArray, identifier: str,
                           folder: str | os.PathLike[str], *,
                   stimulus_set_identifier: str | None = None,
                   assembly_class: str | None = None) -> BrainioFile:
    """Write an assembly as BrainIO's ``assy_<id>.nc``; returns the file and its sha1.

    Parameters
    ----------
    assembly
        Recordings with ``presentation`` (``stimulus_id``), ``neuroid`` (``neuroid_id``) and
        ``time_bin`` (``time_bin_start``, ``time_bin_end``) as this library keeps them, or
        behavioural trials (``presentation`` only).
    identifier
        The assembly's identifier, e.g. ``"lab.Smith2026"``; it names the file.
    folder
        Where to write it.
    stimulus_set_identifier
        The stimulus set it was recorded on, stored as Brain-Score does
        (``attrs["stimulus_set_identifier"]``).
    assembly_class
        Brain-Score's class to load it with (``NeuroidAssembly``, ``BehavioralAssembly``, ...);
        default from the dims. It is checked here, not stored: a Brain-Score data plugin
        names it when loading.

    Raises
    ------
    ValueError
        Wrong dims for the class, or a dimension without its identifying coordinates.
    """
    assembly_class = assembly_class or _assembly_class(assembly)
    _validate(assembly, identifier, assembly_class)
    assembly = assembly.copy()
    if stimulus_set_identifier is not None:
        assembly.attrs["stimulus_set_identifier"] = stimulus_set_identifier
    path = Path(folder) / assembly_file_name(identifier)
    with storage.atomic_path(path) as tmp:
        write_netcdf(assembly, tmp)
    return BrainioFile.of(path)


def read_brainio_assembly(path: str | os.PathLike[str], stimuli: Any = None) -> xr.DataArray:
    """Read a BrainIO assembly (see :func:`~dynamic_vision.io.assemblies.read_brainio_netcdf`),
    with the stimulus set's metadata merged onto presentations when ``stimuli`` is given."""
    from dynamic_vision.io.assemblies import read_brainio_netcdf
    from dynamic_vision.io.brainio import merge_stimulus_metadata

    assembly = read_brainio_netcdf(path)
    return merge_stimulus_metadata(assembly, stimuli) if stimuli is not None else assembly
