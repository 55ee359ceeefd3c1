"""Scores in Brain-Score's form, both ways: a netCDF file that ``brainscore_core`` reads as a
``Score`` with its attrs, and such files read back as this library's
:class:`~dynamic_vision.core.scores.Score`.

Brain-Score's ``Score`` is a 0-d DataArray (the ceiled value) whose attrs hold ``raw`` (the
unceiled score, itself with ``raw`` per split / neuroid and an ``error``), ``ceiling``,
``error``, ``model_identifier``, ``benchmark_identifier`` and ``comment`` (the committed
layers). netCDF attributes cannot hold DataArrays, so the file keeps them the way
brainscore_core's ``write_netcdf`` stores extra arrays: as groups of the same file.

==========================  ====================================================================
where                       what
==========================  ====================================================================
``/`` variable ``data``     the ceiled score; attrs ``error`` (float), ``model_identifier``,
                            ``benchmark_identifier``, ``comment``, and ``dynamic_vision_*``
                            facts (convention, raw error, provenance as JSON)
group ``raw``               the raw score (``data``) with attr ``error`` (its standard error)
group ``raw/raw``           the finer raw values (``Score.detail["raw"]``), when present
group ``ceiling``           the ceiling (``data``), attr ``error``
group ``ceiling/raw``       the finer ceiling values (``Score.detail["ceiling"]``), when present
group ``detail``            this library's whole ``Score.detail`` (ignored by Brain-Score)
==========================  ====================================================================

Brain-Score reads the value with ``xr.open_dataarray(path)`` (or ``AssemblyLoader(Score, path)``)
and each attr with ``group=...``; its results database stores the value, ``raw`` and ``error``.
Numbers are written as they are: which ceiling convention made them is in the attrs (see
docs/brainscore.md for which conventions reproduce Brain-Score's).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core import storage
from dynamic_vision.core.scores import CEILING_CONVENTIONS, Score, apply_ceiling
from dynamic_vision.io.brainio_files import BrainioFile, netcdf_attrs, write_netcdf

__all__ = ["write_brainscore_score", "read_brainscore_score",
           "brainscore_benchmark_identifier"]

_PREFIX = "dynamic_vision_"


def brainscore_benchmark_identifier(benchmark: str) -> str:
    """Brain-Score's name of a registered benchmark (its ``brainscore_equivalent``), else the
    name itself."""
    from dynamic_vision.core.registry import benchmark_registry

    try:
        info = benchmark_registry.info(benchmark)
    except KeyError:
        return benchmark
    return str(info.get("brainscore_equivalent") or info["identifier"])


def _scalar(value: float, **attrs: Any) -> xr.DataArray:
    return xr.DataArray(np.float64(value), attrs=attrs)


def _comment(provenance: dict[str, Any]) -> str | None:
    layer = provenance.get("selected_layer") or provenance.get("layer")
    region = provenance.get("region")
    return f"layers: {{'{region}': '{layer}'}}" if layer and region else None


def write_brainscore_score(score: Score, path: str | os.PathLike[str], *,
                model_identifier: str | None = None,
                benchmark_identifier: str | None = None) -> BrainioFile:
    """Write ``score`` as Brain-Score stores a Score (see the module docstring).

    Parameters
    ----------
    score
        The score to export.
    path
        The ``.nc`` file to write (atomically).
    model_identifier, benchmark_identifier
        Default: the score's provenance; a benchmark with a Brain-Score name
        (``brainscore_equivalent``) is named by it.
    """
    provenance = dict(score.provenance)
    model = model_identifier or str(provenance.get("model", ""))
    benchmark = benchmark_identifier or (
        brainscore_benchmark_identifier(str(provenance["benchmark"]))
        if provenance.get("benchmark") else "")
    attrs: dict[str, Any] = {"error": float(score.error), "model_identifier": model,
                             "benchmark_identifier": benchmark}
    comment = _comment(provenance)
    if comment:
        attrs["comment"] = comment
    attrs.update({f"{_PREFIX}ceiling_convention": score.convention,
                  f"{_PREFIX}raw_error": float(score.raw_error),
                  f"{_PREFIX}provenance": json.dumps(provenance, default=str, sort_keys=True)})
    path = Path(path)
    with storage.atomic_path(path) as tmp:
        write_netcdf(_scalar(score.value, **attrs), tmp)
        write_netcdf(_scalar(score.raw, error=float(score.raw_error)), tmp, group="raw",
                     append=True)
        if "raw" in score.detail:
            write_netcdf(score.detail["raw"], tmp, group="raw/raw", append=True)
        if not math.isnan(score.ceiling):
            write_netcdf(_scalar(score.ceiling), tmp, group="ceiling", append=True)
            if "ceiling" in score.detail:
                write_netcdf(score.detail["ceiling"], tmp, group="ceiling/raw", append=True)
        if score.detail.data_vars:
            detail = score.detail.copy()
            detail.attrs = netcdf_attrs(detail.attrs)
            for name in detail.variables:
                detail[name].attrs = netcdf_attrs(detail[name].attrs)
            detail.to_netcdf(tmp, mode="a", group="detail", engine="h5netcdf")
    return BrainioFile.of(path)


def _groups(path: Path) -> set[str]:
    import h5netcdf

    found: set[str] = set()
    with h5netcdf.File(path, "r") as handle:
        def walk(group: Any, prefix: str) -> None:
            for name, child in group.groups.items():
                found.add(prefix + name)
                walk(child, prefix + name + "/")
        walk(handle, "")
    return found


def _read(path: Path, group: str | None = None) -> xr.DataArray:
    with xr.open_dataset(path, group=group, engine="h5netcdf") as opened:
        dataset = opened.load()
    name = "data" if "data" in dataset.data_vars else next(iter(dataset.data_vars))
    array = dataset[name]
    array.attrs = {**dataset.attrs, **array.attrs}
    # Brain-Score flattens an index coordinate 'split' into 'split_' before writing
    renamed = {name: name[:-1] for name in array.coords
               if name.endswith("_") and name[:-1] in array.dims and name[:-1] not in array.coords}
    for old, new in renamed.items():
        array = array.drop_vars(old).assign_coords({new: array[old].values})
    return array


def _convention(value: float, raw: float, ceiling: float) -> str:
    """The registered ceiling convention that turns ``raw`` and ``ceiling`` into ``value``."""
    if math.isnan(ceiling):
        return "none"
    for name in CEILING_CONVENTIONS:
        if name != "none" and math.isclose(apply_ceiling(raw, ceiling, name), value,
                                           rel_tol=1e-9, abs_tol=1e-12):
            return name
    return "external"


def read_brainscore_score(path: str | os.PathLike[str]) -> Score:
    """Read a Score stored in Brain-Score's form (by :func:`write_brainscore_score`, or by
    Brain-Score's ``write_netcdf`` with ``raw`` and ``ceiling`` as groups).

    A file without this library's attrs gets the ceiling convention that reproduces its value
    from ``raw`` and ``ceiling`` (Brain-Score's neural ``raw**2 / ceiling`` is
    ``explained_variance``; ``"external"`` when none does); its finer values land in ``detail["raw"]`` and
    ``detail["ceiling_raw"]``, and its identifiers in ``provenance``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No score file at {path}.")
    groups = _groups(path)
    root = _read(path)
    attrs = dict(root.attrs)
    value = float(root.values)
    raw_array = _read(path, "raw") if "raw" in groups else None
    raw = float(raw_array.values) if raw_array is not None else value
    ceiling = float(_read(path, "ceiling").values) if "ceiling" in groups else float("nan")
    raw_error = float(attrs.get(f"{_PREFIX}raw_error",
                                raw_array.attrs.get("error", np.nan)
                                if raw_array is not None else np.nan))
    if "detail" in groups:
        with xr.open_dataset(path, group="detail", engine="h5netcdf") as opened:
            detail = opened.load()
    else:
        parts = {}
        if "raw/raw" in groups:
            parts["raw"] = _read(path, "raw/raw")
        if "ceiling/raw" in groups:
            parts["ceiling_raw"] = _read(path, "ceiling/raw")
        detail = xr.Dataset({name: array.drop_attrs() if hasattr(array, "drop_attrs")
                             else array for name, array in parts.items()})
    provenance_text = attrs.get(f"{_PREFIX}provenance")
    if provenance_text is not None:
        provenance = json.loads(provenance_text)
    else:
        provenance = {key: attrs[key] for key in ("model_identifier", "benchmark_identifier",
                                                  "comment") if key in attrs}
        provenance = {"model": provenance.pop("model_identifier", None),
                      "benchmark": provenance.pop("benchmark_identifier", None),
                      **provenance, "source": str(path)}
    convention = attrs.get(f"{_PREFIX}ceiling_convention") or _convention(value, raw, ceiling)
    return Score(value=value, raw=raw, ceiling=ceiling, error=float(attrs.get("error", np.nan)),
                 raw_error=raw_error, convention=str(convention), detail=detail,
                 provenance=provenance)
