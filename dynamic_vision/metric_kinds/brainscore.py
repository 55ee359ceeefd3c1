"""Brain-Score's exact metrics (brainscore-vision 2.4.2) on this library's assemblies.

The arithmetic is :mod:`dynamic_vision.statistics.brainscore`; these classes read assemblies,
align the model to the recordings by ``stimulus_id`` (both sorted by it, the order of
Brain-Score's repetition-averaged targets), draw Brain-Score's splits or take explicit ones, and
return a raw :class:`~dynamic_vision.core.scores.Score`.

- :class:`BrainScoreRegressionMetric` — ``pls``, ``ridge``, ``linear_predictivity``,
  ``ridgecv``; a single explicit split gives Brain-Score's ``*_split`` metrics.
- :class:`BrainScoreSimilarityMetric` — ``rdm``, ``cka``, ``cka_biased`` and their ``*_cv``.
- :class:`BrainScoreBehaviorMetric` — ``i2n``, ``i1n``, ``i1``, with
  :meth:`~BrainScoreBehaviorMetric.ceiling` and the ``"disattenuated_per_split"`` convention.

Beyond Brain-Score (which scores one time bin): time-binned inputs are scored bin by bin on the
same splits and averaged (mean over bins, per split).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core.scores import Score
from dynamic_vision.metric_kinds.inputs import (
    MIN_TEST_STIMULI,
    align_by_stimulus,
    as_matrix,
    check_test_sizes,
    time_bin_coords,
    time_bin_pairs,
)
from dynamic_vision.statistics.brainscore import behavior, regression
from dynamic_vision.statistics.brainscore import similarity as similarities
from dynamic_vision.statistics.brainscore.splits import stimulus_splits, trial_halves
from dynamic_vision.statistics.splits import Splitter

__all__ = ["BrainScoreRegressionMetric", "BrainScoreSimilarityMetric", "BrainScoreBehaviorMetric"]

Split = tuple[np.ndarray, np.ndarray]


def _sorted_pair(source: xr.DataArray, target: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    source, target = align_by_stimulus(source, target)
    order = np.argsort(target["stimulus_id"].values.astype(str), kind="stable")
    return source.isel(presentation=order), target.isel(presentation=order)


def _labels(target: xr.DataArray, coord: str | None) -> np.ndarray | None:
    if coord and coord in target.coords and target[coord].dims == ("presentation",):
        return np.asarray(target[coord].values).astype(str)
    return None


def _neuroid_coords(target: xr.DataArray) -> dict[str, Any]:
    return {name: ("neuroid", np.asarray(target[name].values)) for name in target.coords
            if target[name].dims == ("neuroid",)}


class BrainScoreRegressionMetric:
    """Brain-Score's cross-validated regression predictivity, exactly.

    Parameters
    ----------
    estimator
        ``"pls"``, ``"ridge"``, ``"linear_predictivity"`` or ``"ridgecv"`` (see
        :mod:`dynamic_vision.statistics.brainscore.regression`).
    splits
        Explicit splits (e.g. :class:`~dynamic_vision.statistics.splits.ExplicitSplits` of
        stimulus ids); one split gives Brain-Score's ``*_split`` metric. Default: Brain-Score's
        10 stratified shuffle splits (``train_size``, ``seed``) over the sorted stimuli.
    stratify_coord
        Target coordinate of the classes to stratify by (``object_name``); unstratified when
        the target lacks it.
    n_splits, train_size, seed
        Brain-Score's defaults: 10, 0.9, 1.
    min_test_stimuli
        Guard: fewest test stimuli per split (Brain-Score has none; lower it knowingly).
    """

    def __init__(self, estimator: str = "pls", splits: Splitter | None = None,
                 stratify_coord: str | None = "object_name", n_splits: int = 10,
                 train_size: float = 0.9, seed: int = 1,
                 min_test_stimuli: int = MIN_TEST_STIMULI):
        if estimator not in regression.ESTIMATORS:
            raise ValueError(f"Unknown Brain-Score regression {estimator!r}; use one of "
                             f"{sorted(regression.ESTIMATORS)}.")
        self.estimator = estimator
        self.splits = splits
        self.stratify_coord = stratify_coord
        self.n_splits = n_splits
        self.train_size = train_size
        self.seed = seed
        self.min_test_stimuli = int(min_test_stimuli)

    def split(self, target: xr.DataArray) -> list[Split]:
        """The splits of ``target``'s stimuli (sorted by ``stimulus_id``)."""
        if self.splits is not None:
            return [(np.asarray(a), np.asarray(b)) for a, b in self.splits.split(target)]
        return stimulus_splits(target.sizes["presentation"],
                               _labels(target, self.stratify_coord), n_splits=self.n_splits,
                               train_size=self.train_size, seed=self.seed)

    def __call__(self, source: xr.DataArray, target: xr.DataArray) -> Score:
        source, target = _sorted_pair(source, target)
        splits = self.split(target)
        check_test_sizes(splits, self.min_test_stimuli, f"Brain-Score {self.estimator} metric")
        results = [regression.cross_regressed_correlation(as_matrix(s), as_matrix(t), splits,
                                                          self.estimator)
                   for _, s, t in time_bin_pairs(source, target)]
        per_split = np.mean([r.per_split for r in results], axis=0)
        center, error = float(per_split.mean()), regression.standard_error(per_split)
        coords: dict[str, Any] = {"split": np.arange(len(splits)), **_neuroid_coords(target)}
        if "time_bin" in target.dims:
            coords.update(time_bin_coords(target))
            detail = xr.Dataset(
                {"raw": (("split", "neuroid", "time_bin"),
                         np.stack([r.per_split_per_neuroid for r in results], axis=-1)),
                 "split_raw": (("split", "time_bin"),
                               np.stack([r.per_split for r in results], axis=-1)),
                 "alpha": (("split", "time_bin"), np.stack([r.alphas for r in results], -1))},
                coords=coords)
            detail["time_bin_raw"] = detail["split_raw"].mean("split")
        else:
            (result,) = results
            detail = xr.Dataset({"raw": (("split", "neuroid"), result.per_split_per_neuroid),
                                 "split_raw": ("split", result.per_split),
                                 "alpha": ("split", result.alphas)}, coords=coords)
        if self.estimator != "ridgecv":
            detail = detail.drop_vars("alpha")
        return Score.from_raw(center, error, detail=detail, brainscore=self.estimator)


class BrainScoreSimilarityMetric:
    """Brain-Score's RDM and CKA similarities, exactly.

    Parameters
    ----------
    similarity
        ``"rdm"``, ``"cka"`` (unbiased) or ``"cka_biased"``.
    cross_validated
        ``False``: on all stimuli (Brain-Score's ``rdm``, ``cka``, ``cka_biased``); ``True``:
        on the test part of each test-only split (``rdm_cv``, ``cka_cv``).
    splits
        Explicit splits (their *test* parts are scored); default Brain-Score's 10 stratified
        splits with ``test_size`` 0.9, seed 1.
    min_stimuli
        Guard: fewest stimuli a similarity is computed on.
    """

    def __init__(self, similarity: str = "rdm", cross_validated: bool = False,
                 splits: Splitter | None = None, stratify_coord: str | None = "object_name",
                 n_splits: int = 10, test_size: float = 0.9, seed: int = 1,
                 min_stimuli: int = MIN_TEST_STIMULI):
        if similarity not in similarities.SIMILARITIES:
            raise ValueError(f"Unknown Brain-Score similarity {similarity!r}; use one of "
                             f"{sorted(similarities.SIMILARITIES)}.")
        self.similarity = similarity
        self.cross_validated = bool(cross_validated or splits is not None)
        self.splits = splits
        self.stratify_coord = stratify_coord
        self.n_splits = n_splits
        self.test_size = test_size
        self.seed = seed
        self.min_stimuli = int(min_stimuli)

    def split(self, target: xr.DataArray) -> list[Split]:
        if self.splits is not None:
            return [(np.asarray(a), np.asarray(b)) for a, b in self.splits.split(target)]
        return stimulus_splits(target.sizes["presentation"],
                               _labels(target, self.stratify_coord), n_splits=self.n_splits,
                               train_size=None, test_size=self.test_size, seed=self.seed)

    def __call__(self, source: xr.DataArray, target: xr.DataArray) -> Score:
        source, target = _sorted_pair(source, target)
        function = similarities.SIMILARITIES[self.similarity]
        name = self.similarity + ("_cv" if self.cross_validated else "")
        pairs = [(as_matrix(s), as_matrix(t)) for _, s, t in time_bin_pairs(source, target)]
        if self.cross_validated:
            splits = self.split(target)
            check_test_sizes(splits, self.min_stimuli, f"Brain-Score {name} metric",
                             what="scored (test) part of split", override="min_stimuli")
            per_bin = [similarities.cross_validated(function, X, Y, splits)[2] for X, Y in pairs]
            raw = np.stack(per_bin, axis=-1)  # split × time_bin
            per_split = raw.mean(axis=1)
            center, error = float(per_split.mean()), regression.standard_error(per_split)
            dims: tuple[str, ...] = ("split",)
            coords: dict[str, Any] = {"split": np.arange(len(splits))}
        else:
            check_test_sizes([((), np.arange(target.sizes["presentation"]))], self.min_stimuli,
                             f"Brain-Score {name} metric", what="stimulus set",
                             override="min_stimuli")
            raw = np.array([[function(X, Y) for X, Y in pairs]])
            center, error, dims, coords = float(raw.mean()), float("nan"), (), {}
        if "time_bin" in target.dims:
            coords.update(time_bin_coords(target))
            values = raw if self.cross_validated else raw[0]
            detail = xr.Dataset({"raw": ((*dims, "time_bin"), values)}, coords=coords)
            detail["time_bin_raw"] = (detail["raw"].mean("split") if self.cross_validated
                                      else detail["raw"])
        else:
            detail = xr.Dataset({"raw": (dims, raw[:, 0] if self.cross_validated else raw[0, 0])},
                                coords=coords)
        return Score.from_raw(center, error, detail=detail, brainscore=name)


def _trial_coord(trials: xr.DataArray, names: tuple[str, ...]) -> np.ndarray:
    for name in names:
        if name in trials.coords:
            return np.asarray(trials[name].values).astype(str)
    raise ValueError(f"Trials need one of the coordinates {list(names)} on 'presentation'.")


class BrainScoreBehaviorMetric:
    """Brain-Score's I2n / I1n / I1 consistency, exactly, with its ceiling.

    Parameters
    ----------
    signature
        ``"i2n"``, ``"i1n"`` or ``"i1"``.
    halves
        Explicit trial halves (per split: trial positions of half 1 and half 2); default
        Brain-Score's 2 splits from ``RandomState(seed)``. The score uses half 1, the ceiling
        correlates the halves; both use the same halves.
    n_splits, seed
        Brain-Score's defaults: 2, 0.

    Notes
    -----
    Trials (the target) carry ``stimulus_id``, the true object (``label``, ``truth`` or
    ``sample_obj``), the distractor (``distractor`` or ``dist_obj``) and the ``choice``, one
    trial per presentation. The model answers with class probabilities ``presentation ×
    choice``; each image's true object is taken from the trials.
    """

    def __init__(self, signature: str = "i2n", halves: Any = None, n_splits: int = 2,
                 seed: int = 0):
        if signature not in behavior.SIGNATURES:
            raise ValueError(f"Unknown Brain-Score behavioural signature {signature!r}; use one "
                             f"of {sorted(behavior.SIGNATURES)}.")
        self.signature = signature
        self.halves = halves
        self.n_splits = n_splits
        self.seed = seed

    def _trials(self, trials: xr.DataArray) -> tuple[np.ndarray, ...]:
        if "presentation" not in trials.dims:
            raise ValueError("Brain-Score's behavioural metrics need trials along 'presentation'.")
        return (_trial_coord(trials, ("stimulus_id",)),
                _trial_coord(trials, ("label", "truth", "sample_obj")),
                _trial_coord(trials, ("distractor", "dist_obj")),
                _trial_coord(trials, ("choice",)))

    def trial_halves(self, trials: xr.DataArray) -> list[Split]:
        """The trial halves used for ``trials`` (explicit, or Brain-Score's draw)."""
        if self.halves is not None:
            return [(np.asarray(a, dtype=int), np.asarray(b, dtype=int)) for a, b in self.halves]
        return trial_halves(trials.sizes["presentation"], n_splits=self.n_splits, seed=self.seed)

    def half_signatures(self, trials: xr.DataArray
                        ) -> list[tuple[behavior.ChoiceMatrix, behavior.ChoiceMatrix]]:
        """Per split, the humans' signature of each trial half (each from that half alone)."""
        image, truth, distractor, choice = self._trials(trials)
        return [tuple(behavior.signature(behavior.human_matrix(image[rows], truth[rows],
                                                               distractor[rows], choice[rows]),
                                         self.signature) for rows in half)
                for half in self.trial_halves(trials)]

    def model_signature(self, source: xr.DataArray, trials: xr.DataArray
                        ) -> behavior.ChoiceMatrix:
        """The model's signature; each image's true object is read from the trials."""
        image, truth, _, _ = self._trials(trials)
        truth_of = dict(zip(image, truth))
        ids = np.asarray(source["stimulus_id"].values).astype(str)
        unknown = [s for s in ids if s not in truth_of]
        if unknown:
            raise ValueError(f"{len(unknown)} images the model answered have no trials, e.g. "
                             f"'{unknown[0]}'.")
        if "choice" not in source.dims:
            raise ValueError("The model's behaviour must be class probabilities with a "
                             "'choice' dimension.")
        probabilities = source.transpose("presentation", "choice")
        model = behavior.model_matrix(probabilities.values, ids,
                                      probabilities["choice"].values,
                                      [truth_of[s] for s in ids])
        return behavior.signature(model, self.signature)

    def __call__(self, source: xr.DataArray, target: xr.DataArray) -> Score:
        signature = self.model_signature(source, target)
        scores = np.array([behavior.correlate(signature, first)
                           for first, _ in self.half_signatures(target)])
        dims = ("presentation", "choice") if self.signature == "i2n" else ("presentation",)
        values = signature.values if self.signature == "i2n" else signature.values[:, 0]
        coords: dict[str, Any] = {"split": np.arange(len(scores)),
                                  "stimulus_id": ("presentation", signature.ids)}
        if self.signature == "i2n":
            coords["choice"] = signature.choices
        detail = xr.Dataset({"split_raw": ("split", scores),
                             "model_signature": (dims, values)}, coords=coords)
        return Score.from_raw(float(scores.mean()), float(scores.std()), detail=detail,
                              brainscore=self.signature)

    def ceiling(self, trials: xr.DataArray) -> Score:
        """Brain-Score's ceiling: ``r(half 1, half 2)`` per split (no Spearman–Brown), mean and
        ``ddof=0`` std; ``detail["split_ceiling"]`` for the ``"disattenuated_per_split"``
        convention."""
        ceilings = np.array([behavior.correlate(first, second)
                             for first, second in self.half_signatures(trials)])
        detail = xr.Dataset({"split_ceiling": ("split", ceilings)},
                            coords={"split": np.arange(len(ceilings))})
        return Score.from_raw(float(ceilings.mean()), float(ceilings.std()), detail=detail,
                              ceiling=f"brainscore_{self.signature}_split_half")
