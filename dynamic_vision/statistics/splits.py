"""Cross-validation splits over the presentations of an assembly.

Every splitter is a small object with ``split(assembly) -> list[(train_index, test_index)]``
(integer positions along ``presentation``, or along ``time`` for fMRI runs) and is deterministic
for a given seed. Random splits use scikit-learn's splitters as their engine so that a split
given the same seed is the split Brain-Score makes.

- :class:`ShuffleSplits` — repeated random train/test splits, stratified by a class coordinate
  when one is named (Brain-Score: 10 splits, 90 % train).
- :class:`KFoldSplits` — K folds, stratified when a class coordinate is named.
- :class:`ContiguousSplits` — contiguous chunks of a time series, with a gap around every test
  chunk removed from training so that a haemodynamic response cannot leak test into train.
- :class:`ExplicitSplits` — splits given as lists of stimulus ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import xarray as xr

__all__ = ["Splitter", "ShuffleSplits", "KFoldSplits", "ContiguousSplits", "ExplicitSplits",
           "contiguous_chunk_splits", "assert_no_leakage"]

Split = tuple[np.ndarray, np.ndarray]


class Splitter(Protocol):
    """Anything that turns an assembly into train/test index pairs."""

    def split(self, assembly: xr.DataArray) -> list[Split]: ...


def _n_samples(assembly: xr.DataArray | int, dim: str = "presentation") -> int:
    if isinstance(assembly, (int, np.integer)):
        return int(assembly)
    return int(assembly.sizes[dim])


def _labels(assembly: xr.DataArray, coord: str | None) -> np.ndarray | None:
    if coord is None:
        return None
    if coord not in assembly.coords:
        raise ValueError(f"Cannot stratify by '{coord}': the assembly has no such coordinate "
                         f"(it has {sorted(assembly.coords)}). Pass stratify_coord=None or "
                         f"one of these.")
    return np.asarray(assembly[coord].values)


@dataclass(frozen=True)
class ShuffleSplits:
    """Repeated random train/test splits (stratified when ``stratify_coord`` is given).

    Parameters
    ----------
    n_splits
        Number of random splits.
    train_size
        Fraction of presentations used for training.
    seed
        Random seed; the same seed gives the same splits.
    stratify_coord
        Presentation coordinate holding class labels (e.g. ``"category"``,
        ``"object_name"``); each split keeps the class proportions.
    """

    n_splits: int = 10
    train_size: float = 0.9
    seed: int = 0
    stratify_coord: str | None = None

    def split(self, assembly: xr.DataArray) -> list[Split]:
        from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

        n = _n_samples(assembly)
        n_test = n - int(np.floor(self.train_size * n))
        if n_test < 2 or n - n_test < 3:
            raise ValueError(f"Too few stimuli for cross-validation: a test fraction of "
                             f"{1 - self.train_size:.2f} of {n} stimuli leaves {n_test} test "
                             f"stimuli; at least 2 are needed to correlate (and 3 to train). "
                             f"Use more stimuli or a smaller train_size.")
        labels = _labels(assembly, self.stratify_coord)
        if labels is None:
            splitter = ShuffleSplit(n_splits=self.n_splits, train_size=self.train_size,
                                    test_size=None, random_state=self.seed)
            return [(np.sort(tr), np.sort(te)) for tr, te in splitter.split(np.zeros(n))]
        splitter = StratifiedShuffleSplit(n_splits=self.n_splits, train_size=self.train_size,
                                          test_size=None, random_state=self.seed)
        return [(np.sort(tr), np.sort(te)) for tr, te in splitter.split(np.zeros(n), labels)]


@dataclass(frozen=True)
class KFoldSplits:
    """K-fold splits: every presentation is tested exactly once.

    Parameters
    ----------
    n_splits
        Number of folds.
    shuffle
        Shuffle before folding (with ``seed``); without it folds are contiguous.
    seed
        Random seed used when shuffling.
    stratify_coord
        Presentation coordinate with class labels; folds keep class proportions.
    """

    n_splits: int = 5
    shuffle: bool = True
    seed: int = 0
    stratify_coord: str | None = None

    def split(self, assembly: xr.DataArray) -> list[Split]:
        from sklearn.model_selection import KFold, StratifiedKFold

        n = _n_samples(assembly)
        if n // self.n_splits < 2:
            raise ValueError(f"Too few stimuli for cross-validation: {n} stimuli in "
                             f"{self.n_splits} folds leave fewer than 2 test stimuli per fold. "
                             f"Use more stimuli or fewer folds.")
        seed = self.seed if self.shuffle else None
        labels = _labels(assembly, self.stratify_coord)
        if labels is None:
            folds = KFold(self.n_splits, shuffle=self.shuffle, random_state=seed)
            return list(folds.split(np.zeros(n)))
        folds = StratifiedKFold(self.n_splits, shuffle=self.shuffle, random_state=seed)
        return list(folds.split(np.zeros(n), labels))


def contiguous_chunk_splits(n_samples: int, n_splits: int, gap: int) -> list[Split]:
    """K contiguous test chunks of a time series; training excludes ``gap`` samples each side.

    Parameters
    ----------
    n_samples
        Length of the time series (e.g. number of TRs).
    n_splits
        Number of chunks, each the test set of one split.
    gap
        Samples on either side of the test chunk dropped from training; use at least the
        haemodynamic response length in TRs.

    Returns
    -------
    list of (train_index, test_index)
    """
    if gap < 0:
        raise ValueError(f"gap must be >= 0, got {gap}.")
    bounds = np.linspace(0, n_samples, n_splits + 1).round().astype(int)
    min_train = n_samples - int(np.diff(bounds).max()) - 2 * gap
    if n_splits < 2 or np.diff(bounds).min() < 2 or min_train < 3:
        raise ValueError(
            f"Too few samples for contiguous splits: {n_samples} samples in {n_splits} chunks "
            f"with a gap of {gap} leave {max(min_train, 0)} training samples in the worst split. "
            f"Use a longer recording, fewer chunks or a shorter gap.")
    index = np.arange(n_samples)
    splits = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        test = index[start:stop]
        train = index[(index < start - gap) | (index >= stop + gap)]
        splits.append((train, test))
    return splits


def assert_no_leakage(splits: Sequence[Split], gap: int) -> None:
    """Raise if any test sample lies within ``gap`` samples of a training sample.

    This is the guarantee :func:`contiguous_chunk_splits` gives: a response that lasts ``gap``
    samples cannot carry a test stimulus into a training sample.
    """
    for number, (train, test) in enumerate(splits):
        train = np.sort(np.asarray(train))
        test = np.asarray(test)
        if train.size == 0 or test.size == 0:
            continue
        position = np.searchsorted(train, test)
        left = train[np.clip(position - 1, 0, train.size - 1)]
        right = train[np.clip(position, 0, train.size - 1)]
        distance = np.minimum(np.abs(test - left), np.abs(test - right))
        if np.any(distance <= gap):
            worst = int(test[np.argmin(distance)])
            raise AssertionError(
                f"Split {number} leaks: test sample {worst} lies within {gap} samples of a "
                f"training sample (distance {int(distance.min())}).")


@dataclass(frozen=True)
class ContiguousSplits:
    """Contiguous chunks of a time series with a gap (see :func:`contiguous_chunk_splits`).

    Parameters
    ----------
    n_splits
        Number of chunks.
    gap
        Samples dropped from training on each side of a test chunk.
    dim
        The time dimension of the assembly (``"time"`` for fMRI runs).
    """

    n_splits: int = 5
    gap: int = 0
    dim: str = "time"

    def split(self, assembly: xr.DataArray) -> list[Split]:
        dim = self.dim if isinstance(assembly, (int, np.integer)) or self.dim in assembly.dims \
            else "presentation"
        return contiguous_chunk_splits(_n_samples(assembly, dim), self.n_splits, self.gap)


@dataclass(frozen=True)
class ExplicitSplits:
    """Splits given by stimulus id, e.g. a dataset's published train/test partition.

    Parameters
    ----------
    splits
        ``[(train_ids, test_ids), ...]``.
    """

    splits: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]

    def __init__(self, splits: Sequence[tuple[Sequence[str], Sequence[str]]]):
        object.__setattr__(self, "splits", tuple(
            (tuple(map(str, train)), tuple(map(str, test))) for train, test in splits))
        if not self.splits:
            raise ValueError("ExplicitSplits needs at least one (train_ids, test_ids) pair.")

    def split(self, assembly: xr.DataArray) -> list[Split]:
        ids = [str(s) for s in assembly["stimulus_id"].values]
        position = {sid: i for i, sid in enumerate(ids)}
        out = []
        for number, (train, test) in enumerate(self.splits):
            missing = [sid for sid in (*train, *test) if sid not in position]
            if missing:
                raise ValueError(f"Split {number} names {len(missing)} stimulus_ids that the "
                                 f"assembly lacks, e.g. {missing[:5]}.")
            overlap = set(train) & set(test)
            if overlap:
                raise ValueError(f"Split {number} has stimulus_ids in both train and test, "
                                 f"e.g. {sorted(overlap)[:5]}.")
            out.append((np.array([position[s] for s in train], dtype=int),
                        np.array([position[s] for s in test], dtype=int)))
        return out
