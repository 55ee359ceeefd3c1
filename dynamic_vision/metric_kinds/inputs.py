"""What every metric does to its inputs first: validate, align by stimulus, iterate time bins.

Metrics receive a model assembly (``source``) and a repetition-averaged recording
(``target``), each ``presentation × neuroid [× time_bin]`` with flat coordinates. Bad input is
refused here with a message that names the culprit, so each metric only implements its
mathematics.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["check_finite", "align_by_stimulus", "time_bin_pairs", "as_matrix",
           "drop_constant_targets", "time_bin_coords", "TIME_BIN_COORDS", "MIN_TEST_STIMULI",
           "check_test_sizes"]

TIME_BIN_COORDS = ("time_bin_start", "time_bin_end")

#: Fewest stimuli a correlation over one test split (or a compared subset) may rest on. With 2
#: test stimuli every Pearson r is ±1; with 5 its standard error is about 0.5.
MIN_TEST_STIMULI = 10


def check_test_sizes(splits: Sequence[tuple[Any, Any]], minimum: int, owner: str,
                     what: str = "test split", part: int = 1,
                     override: str | None = "min_test_stimuli", unit: str = "stimuli") -> None:
    """Refuse splits whose evaluated part (``part``: 1 = test, 0 = train) is too small.

    Raises
    ------
    ScoreGuardError
        Naming the smallest split, its size, the minimum and the override (the option that
        lowers the minimum, ``None`` when there is none).
    """
    from dynamic_vision.core.errors import ScoreGuardError

    sizes = [len(split[part]) for split in splits]
    if sizes and min(sizes) < minimum:
        worst = int(np.argmin(sizes))
        escape = f", or, knowingly, pass {override}=<n> to the metric" if override else ""
        raise ScoreGuardError(
            f"{owner}: {what} {worst} holds {sizes[worst]} {unit} (of {len(splits)} splits, the "
            f"smallest); a correlation over fewer than {minimum} {unit} is too noisy to score "
            f"(with 2, every r is ±1). Use more {unit}, or fewer and larger splits (e.g. "
            f"KFoldSplits with fewer folds, fewer chunks){escape}.")


def check_finite(assembly: xr.DataArray, name: str) -> None:
    """Refuse NaN/Inf values, naming how many and the first stimulus that has one."""
    values = np.asarray(assembly.values)
    if not np.issubdtype(values.dtype, np.number):
        raise TypeError(f"The {name} assembly holds {values.dtype} values; a metric needs "
                        f"numbers.")
    bad = ~np.isfinite(values)
    if bad.any():
        where = ""
        if "presentation" in assembly.dims and "stimulus_id" in assembly.coords:
            axis = assembly.dims.index("presentation")
            rows = np.flatnonzero(bad.any(axis=tuple(i for i in range(bad.ndim) if i != axis)))
            where = f", e.g. at stimulus_id '{assembly['stimulus_id'].values[rows[0]]}'"
        raise ValueError(f"The {name} assembly contains {int(bad.sum())} non-finite values "
                         f"(NaN or Inf){where}. Remove or impute them before scoring.")


def _ids(assembly: xr.DataArray, name: str) -> np.ndarray:
    if "stimulus_id" not in assembly.coords:
        raise ValueError(f"The {name} assembly has no 'stimulus_id' coordinate on "
                         f"'presentation'; metrics align source and target by it.")
    ids = np.asarray(assembly["stimulus_id"].values).astype(str)
    unique, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"The {name} assembly repeats stimulus_ids (e.g. "
                         f"{[str(u) for u in unique[counts > 1][:5]]}); average repetitions "
                         f"before scoring.")
    return ids


def align_by_stimulus(source: xr.DataArray, target: xr.DataArray, *,
                      numeric_target: bool = True) -> tuple[xr.DataArray, xr.DataArray]:
    """``source`` reordered to ``target``'s stimulus order, both validated.

    The source may hold extra stimuli (they are dropped); every target stimulus must be in the
    source. Dimensions are ordered ``presentation, neuroid[, time_bin]``. With
    ``numeric_target=False`` (labels, choices) only the source's values are checked.
    """
    for assembly, name in ((source, "source"), (target, "target")):
        if "presentation" not in assembly.dims:
            raise ValueError(f"The {name} assembly has dims {assembly.dims}; a metric needs a "
                             f"'presentation' dimension.")
    source_ids, target_ids = _ids(source, "source"), _ids(target, "target")
    position = {sid: i for i, sid in enumerate(source_ids)}
    missing = [str(sid) for sid in target_ids if sid not in position]
    if missing:
        raise ValueError(f"{len(missing)} of {len(target_ids)} target stimulus_ids are missing "
                         f"from the source: {missing[:5]}{' ...' if len(missing) > 5 else ''}. "
                         f"Show the model every stimulus of the target.")
    source = _ordered(source.isel(presentation=[position[sid] for sid in target_ids]))
    check_finite(source, "source")
    if numeric_target:
        target = _ordered(target)
        check_finite(target, "target")
    return source, target


def _ordered(assembly: xr.DataArray) -> xr.DataArray:
    order = [d for d in ("presentation", "neuroid", "time_bin") if d in assembly.dims]
    extra = [d for d in assembly.dims if d not in order]
    if extra:
        raise ValueError(f"Unexpected dimensions {extra} in an assembly with dims "
                         f"{assembly.dims}; expected presentation × neuroid [× time_bin].")
    return assembly.transpose(*order)


def time_bin_pairs(source: xr.DataArray, target: xr.DataArray
                   ) -> Iterator[tuple[int | None, xr.DataArray, xr.DataArray]]:
    """(time-bin index or None, 2-d source, 2-d target) for each time bin to fit separately.

    A static source (no ``time_bin``) is used for every target time bin.
    """
    if "time_bin" not in target.dims:
        if "time_bin" in source.dims:
            if source.sizes["time_bin"] != 1:
                raise ValueError(f"The source has {source.sizes['time_bin']} time bins but the "
                                 f"target has none; select or average source time bins first.")
            source = source.isel(time_bin=0)
        yield None, source, target
        return
    n_bins = target.sizes["time_bin"]
    if "time_bin" in source.dims and source.sizes["time_bin"] != n_bins:
        raise ValueError(f"Source and target have different numbers of time bins "
                         f"({source.sizes['time_bin']} vs {n_bins}); align the model to the "
                         f"target's time bins first.")
    for index in range(n_bins):
        yield (index,
               source.isel(time_bin=index) if "time_bin" in source.dims else source,
               target.isel(time_bin=index))


def as_matrix(assembly: xr.DataArray) -> np.ndarray:
    """presentation × (everything else) float array (float32 stays float32: wide model
    activations are not copied to double precision)."""
    values = np.asarray(assembly.values)
    if values.dtype != np.float32:
        values = values.astype(np.float64, copy=False)
    return values.reshape(values.shape[0], -1)


def drop_constant_targets(Y: np.ndarray, what: str = "target neuroids") -> np.ndarray:
    """Boolean mask of usable (non-constant) columns; warns with the count of dropped ones."""
    constant = np.all(Y == Y[:1], axis=0)
    if constant.all():
        raise ValueError(f"All {Y.shape[1]} {what} are constant across stimuli; their "
                         f"correlation with any prediction is undefined.")
    if constant.any():
        warnings.warn(f"{int(constant.sum())} of {Y.shape[1]} {what} are constant across "
                      f"stimuli (undefined correlation) and are excluded from the score.",
                      RuntimeWarning, stacklevel=3)
    return ~constant


def time_bin_coords(target: xr.DataArray) -> dict[str, tuple[str, np.ndarray]]:
    """The target's time-bin coordinates, ready for a detail Dataset."""
    return {name: ("time_bin", np.asarray(target[name].values)) for name in TIME_BIN_COORDS
            if name in target.coords and "time_bin" in target[name].dims}
