"""Noise ceilings from a dataset's own repeats.

Every ceiling here is a *split-half* estimate: the repeats of each stimulus are divided at
random into two halves, the measurement is computed on each half, the two are compared, and the
comparison is Spearman–Brown corrected to the reliability of the full data. Ceilings are
medians over neuroids (where there are neuroids) and means over ``n_splits`` random halvings,
with a standard error ``std / sqrt(n_splits)`` like the metrics'.

- :func:`split_half_ceiling` — regression metrics: per-neuroid Pearson r between the two half
  averages over stimuli (and time bins).
- :func:`rsa_ceiling` — RSA: correlation between the RDMs of the two halves.
- :func:`behavioral_ceiling` — behaviour: consistency of a behavioural signature (e.g. I2n)
  between two halves of the trials or subjects.

Each ceiling is the Spearman–Brown reliability ``c`` of the *trial mean* the metric compares
with, aggregated like the metric's score (per neuroid, then the median over neuroids, or the
mean with ``aggregation="mean"``; then the mean over halvings). How it is applied is a named
convention of :mod:`dynamic_vision.core.scores`: the library's default is ``"disattenuated"``
(``raw / sqrt(c)``), under which the noise-free truth scores 1; Brain-Score's neural benchmarks
use ``"explained_variance"`` (``raw² / c``). See ``docs/metrics.md`` for the derivation.

Every function accepts explicit ``halves`` (row indices of the two halves, per halving) instead
of drawing them, so that a ceiling can be recomputed on given halves. Brain-Score's own
internal-consistency ceiling (halves of the repetition *indices*, shared by all stimuli) is
:func:`dynamic_vision.statistics.brainscore.ceilings.internal_consistency`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr

from dynamic_vision.statistics.correlation import pearson_columns, spearman_brown
from dynamic_vision.core.scores import Score

__all__ = ["split_half_ceiling", "rsa_ceiling", "behavioral_ceiling", "random_halves",
           "half_means", "Halves"]

#: Explicit halvings: per halving, the row (presentation) indices of the two halves.
Halves = Sequence[tuple[Sequence[int], Sequence[int]]]


def random_halves(groups: np.ndarray, n_splits: int, seed: int
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random halvings of rows within each group (e.g. repetitions within each stimulus).

    Parameters
    ----------
    groups
        Group label per row (e.g. ``stimulus_id``); every group needs at least two rows.
    n_splits
        Number of random halvings.
    seed
        Random seed.

    Returns
    -------
    list of (rows_a, rows_b)
        Row indices of the two halves; a group with an odd count gives its extra row to ``b``.
    """
    groups = np.asarray(groups).astype(str)
    labels, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    if (counts < 2).any():
        lonely = labels[counts < 2]
        raise ValueError(f"A split-half ceiling needs at least 2 repetitions of every stimulus; "
                         f"{len(lonely)} stimuli have only one, e.g. stimulus_id '{lonely[0]}'. "
                         f"Pass the repetition-resolved recordings, or drop those stimuli.")
    order = np.argsort(inverse, kind="stable")
    members = np.split(order, np.cumsum(counts)[:-1])
    rng = np.random.default_rng(seed)
    halves = []
    for _ in range(n_splits):
        a, b = [], []
        for rows in members:
            shuffled = rng.permutation(rows)
            a.append(shuffled[: len(rows) // 2])
            b.append(shuffled[len(rows) // 2:])
        halves.append((np.concatenate(a), np.concatenate(b)))
    return halves


def half_means(assembly: xr.DataArray, rows: np.ndarray) -> xr.DataArray:
    """Average the given rows of ``assembly`` per ``stimulus_id`` (sorted by stimulus_id)."""
    subset = assembly.isel(presentation=rows).transpose("presentation", ...)
    labels, means = _half_means(np.asarray(subset.values), subset["stimulus_id"].values,
                                np.arange(subset.sizes["presentation"]))
    return xr.DataArray(means, dims=subset.dims,
                        coords={"stimulus_id": ("presentation", labels)})


def _half_means(values: np.ndarray, stimulus_ids: np.ndarray, rows: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Stimulus ids (sorted) and the float64 mean of ``values[rows]`` per stimulus: the arrays
    behind :func:`half_means`, without building a labelled subset per halving."""
    labels, inverse = np.unique(np.asarray(stimulus_ids)[rows].astype(str), return_inverse=True)
    subset = np.asarray(values[rows], dtype=np.float64)
    sums = np.zeros((len(labels),) + subset.shape[1:])
    np.add.at(sums, inverse, subset)
    counts = np.bincount(inverse, minlength=len(labels)).reshape((-1,) + (1,) * (subset.ndim - 1))
    return labels, sums / counts


def _check_repetitions(assembly: xr.DataArray) -> None:
    if "presentation" not in assembly.dims or "stimulus_id" not in assembly.coords:
        raise ValueError("A ceiling needs a repetition-resolved assembly with a 'presentation' "
                         "dimension and a 'stimulus_id' coordinate.")
    values = np.asarray(assembly.values)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"The recordings contain {int((~np.isfinite(values)).sum())} "
                         f"non-finite values (NaN or Inf); remove or impute them before "
                         f"computing a ceiling.")


def _summarize(per_split: np.ndarray) -> tuple[float, float]:
    return float(np.mean(per_split)), float(np.std(per_split) / np.sqrt(len(per_split)))


def _given_halves(halves: Halves, n_rows: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Explicit halves as integer arrays, checked against the number of rows."""
    out = []
    for number, (a, b) in enumerate(halves):
        a, b = np.asarray(a, dtype=int), np.asarray(b, dtype=int)
        if a.size == 0 or b.size == 0:
            raise ValueError(f"Halving {number} has an empty half.")
        if np.intersect1d(a, b).size:
            raise ValueError(f"Halving {number} puts rows in both halves, e.g. "
                             f"{np.intersect1d(a, b)[:5].tolist()}.")
        if min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n_rows:
            raise ValueError(f"Halving {number} names rows outside 0..{n_rows - 1}.")
        out.append((a, b))
    if not out:
        raise ValueError("halves must name at least one halving.")
    return out


def split_half_ceiling(assembly: xr.DataArray, n_splits: int = 10, seed: int = 0,
                       halves: Halves | None = None, aggregation: str = "median") -> Score:
    """Per-neuroid split-half reliability of the trial mean, Spearman–Brown corrected.

    Parameters
    ----------
    assembly
        Repetition-resolved recordings, ``presentation × neuroid [× time_bin]``, with a
        ``stimulus_id`` coordinate repeated for every repetition.
    n_splits
        Random halvings of the repetitions (within each stimulus).
    seed
        Random seed of the halvings.
    halves
        Explicit halvings (row indices of the two halves each) instead of random ones;
        ``n_splits`` and ``seed`` are then unused.
    aggregation
        ``"median"`` (default) or ``"mean"`` over neuroids: the aggregation of the metric
        whose score this ceiling bounds.

    Returns
    -------
    Score
        ``raw``: mean over halvings of the median (mean) over neuroids of the corrected
        consistency; ``raw_error``: std over halvings / √n_splits. ``detail["neuroid_ceiling"]``
        (neuroid) and ``detail["halving_ceiling"]`` (halving).

    Notes
    -----
    With time bins, the correlation runs over stimuli × time bins: one consistency per neuroid
    for the whole response. Neuroids constant across stimuli are excluded with a warning.
    """
    if aggregation not in ("median", "mean"):
        raise ValueError(f"aggregation must be 'median' or 'mean', got {aggregation!r}.")
    _check_repetitions(assembly)
    assembly = assembly.transpose("presentation", "neuroid", ...)
    halves = (random_halves(assembly["stimulus_id"].values, n_splits, seed) if halves is None
              else _given_halves(halves, assembly.sizes["presentation"]))
    n_splits = len(halves)
    per_neuroid = np.empty((n_splits, assembly.sizes["neuroid"]))
    values, ids = np.asarray(assembly.values), assembly["stimulus_id"].values
    for k, (a, b) in enumerate(halves):
        first, second = _half_means(values, ids, a)[1], _half_means(values, ids, b)[1]
        if first.ndim == 3:  # presentation × neuroid × time_bin → (presentation·time) × neuroid
            first = first.transpose(0, 2, 1).reshape(-1, first.shape[1])
            second = second.transpose(0, 2, 1).reshape(-1, second.shape[1])
        per_neuroid[k] = spearman_brown(pearson_columns(first, second))
    undefined = np.all(np.isnan(per_neuroid), axis=0)
    if undefined.all():
        raise ValueError("No neuroid varies across stimuli; the split-half ceiling is undefined.")
    if undefined.any():
        warnings.warn(f"{int(undefined.sum())} of {len(undefined)} neuroids are constant across "
                      f"stimuli (undefined correlation) and are excluded from the ceiling.",
                      RuntimeWarning, stacklevel=2)
    reduce = np.nanmedian if aggregation == "median" else np.nanmean
    per_split = reduce(per_neuroid[:, ~undefined], axis=1)
    center, error = _summarize(per_split)
    neuroid_coords = {name: ("neuroid", np.asarray(assembly[name].values))
                      for name in assembly.coords if assembly[name].dims == ("neuroid",)}
    detail = xr.Dataset({"neuroid_ceiling": ("neuroid", _nanmean_quiet(per_neuroid, axis=0)),
                         "halving_ceiling": ("halving", per_split)},
                        coords={"halving": np.arange(n_splits), **neuroid_coords})
    return Score.from_raw(center, error, detail=detail, ceiling="split_half",
                          n_splits=n_splits, seed=seed, aggregation=aggregation)


def _nanmean_quiet(values: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


def rsa_ceiling(assembly: xr.DataArray, n_splits: int = 10, seed: int = 0,
                distance: str = "correlation", comparison: str = "spearman",
                halves: Halves | None = None) -> Score:
    """Split-half consistency of the representational dissimilarity matrix.

    The RDM of each half's stimulus averages is computed with ``distance`` and the two are
    compared with ``comparison`` (as the RSA metric does), then Spearman–Brown corrected: the
    reliability of the RDM of the trial mean. With time bins, one RDM per time bin; the
    ceiling is the mean over time bins. ``halves`` gives explicit halvings (row indices).
    """
    from dynamic_vision.statistics.rsa import compare_rdms, rdm

    _check_repetitions(assembly)
    assembly = assembly.transpose("presentation", "neuroid", ...)
    halves = (random_halves(assembly["stimulus_id"].values, n_splits, seed) if halves is None
              else _given_halves(halves, assembly.sizes["presentation"]))
    n_splits = len(halves)
    per_split = np.empty(n_splits)
    data, ids = np.asarray(assembly.values), assembly["stimulus_id"].values
    for k, (a, b) in enumerate(halves):
        first, second = _half_means(data, ids, a)[1], _half_means(data, ids, b)[1]
        if first.ndim == 2:
            first, second = first[..., None], second[..., None]
        values = [compare_rdms(rdm(first[..., t], distance), rdm(second[..., t], distance),
                               comparison) for t in range(first.shape[-1])]
        per_split[k] = float(np.mean(spearman_brown(np.asarray(values))))
    center, error = _summarize(per_split)
    detail = xr.Dataset({"halving_ceiling": ("halving", per_split)},
                        coords={"halving": np.arange(n_splits)})
    return Score.from_raw(center, error, detail=detail, ceiling="rsa_split_half",
                          n_splits=n_splits, seed=seed)


def behavioral_ceiling(trials: xr.DataArray, signature: Callable[[xr.DataArray], np.ndarray],
                       n_splits: int = 10, seed: int = 0, split_coord: str | None = None,
                       halves: Halves | None = None) -> Score:
    """Split-half consistency of a behavioural signature (e.g. :func:`i2n`'s normalised d').

    Parameters
    ----------
    trials
        One row per trial (``presentation`` dim) with ``stimulus_id``, ``label``, ``choice``.
    signature
        Maps a trial assembly to a vector (NaN where undefined), e.g. the flattened I2n matrix.
    n_splits, seed
        Random halvings.
    split_coord
        Halve by this coordinate's values (e.g. ``"subject"``); by default trials are halved
        within each stimulus.
    halves
        Explicit halvings (trial indices of the two halves each) instead of random ones.

    Returns
    -------
    Score
        The mean over halvings of the Spearman–Brown corrected consistency: the reliability of
        the signature of all trials, which the metric compares the model with.
    """
    if "presentation" not in trials.dims:
        raise ValueError("A behavioural ceiling needs trials along a 'presentation' dimension.")
    rng = np.random.default_rng(seed)
    if halves is not None:
        halves = _given_halves(halves, trials.sizes["presentation"])
        n_splits = len(halves)
    elif split_coord is not None:
        values = np.asarray(trials[split_coord].values).astype(str)
        units = np.unique(values)
        if len(units) < 2:
            raise ValueError(f"Cannot halve by '{split_coord}': only one value "
                             f"({units[0]!r}) is present.")
        halves = []
        for _ in range(n_splits):
            chosen = rng.permutation(units)[: len(units) // 2]
            in_a = np.isin(values, chosen)
            halves.append((np.flatnonzero(in_a), np.flatnonzero(~in_a)))
    else:
        halves = random_halves(trials["stimulus_id"].values, n_splits, seed)
    per_split = np.empty(n_splits)
    for k, (a, b) in enumerate(halves):
        first = np.asarray(signature(trials.isel(presentation=a)), dtype=np.float64)
        second = np.asarray(signature(trials.isel(presentation=b)), dtype=np.float64)
        valid = np.isfinite(first) & np.isfinite(second)
        r = pearson_columns(first[valid], second[valid])
        per_split[k] = spearman_brown(float(r))
    center, error = _summarize(per_split)
    detail = xr.Dataset({"halving_ceiling": ("halving", per_split)},
                        coords={"halving": np.arange(n_splits)})
    return Score.from_raw(center, error, detail=detail, ceiling="behavioral_split_half",
                          n_splits=n_splits, seed=seed)
