"""Engineering tasks: how well a linear probe decodes a stimulus label from a model's activations.

Procedure (:meth:`TaskBenchmark.__call__`)
-----------------------------------------
1. The model records from ``region`` in one time window (``window_ms``, default: the shortest
   stimulus) and looks at the stimuli; layered models are asked for every layer at once.
2. A linear probe is cross-validated on the **held-out** stimuli: ``n_splits`` folds, stratified
   by label for classification. Features are standardised with training-fold statistics.
   Classification uses multinomial logistic regression (scikit-learn's ``LogisticRegression``
   objective, solved to its optimum by
   :func:`~dynamic_vision.statistics.linear_models.logistic_newton.cross_validated_logistic`:
   Newton's method in sample space when features outnumber samples, one Gram matrix per fold
   for every inner fold and penalty) with its penalty chosen from :data:`PROBE_CS` by inner
   stratified 3-fold accuracy on the training fold; regression uses
   :class:`~dynamic_vision.statistics.linear_models.RidgeCVRegression`.
3. Every held-out stimulus gets one out-of-fold prediction. The score is the accuracy of those
   predictions (classification) or their Pearson r with the label (regression), overall and per
   ``condition`` (e.g. coherence), with chance (``1 / n_classes``) reported beside it.
4. Layered models: the layer whose probe scores best on the **public** stimuli is selected; all
   layers' held-out scores are kept as detail.

There is no data ceiling (convention ``"none"``: an accuracy is reported raw, beside chance, and
aggregates never average it with ceiled neural scores); a ``window_ms`` that ends after the
shortest clip is refused. ``Score.detail`` holds ``<condition>_raw`` and
``<condition>_n`` per condition, ``prediction`` per held-out stimulus and, for layered models,
``layer_raw`` with ``attrs["selected_layer"]``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core.benchmark import Benchmark, BenchmarkSpec
from dynamic_vision.benchmark_kinds.data_source import LazyData
from dynamic_vision.benchmark_kinds.recordings import (
    check_model_output,
    check_time_bins_in_stimuli,
    select_stimuli,
)
from dynamic_vision.benchmark_kinds.stimulus_split import (
    HeldOutStimuli,
    PartitionedStimuli,
    StimulusSplit,
)
from dynamic_vision.core.scores import Score

__all__ = ["TaskBenchmark", "cross_validated_probe"]

logger = logging.getLogger(__name__)

TASK_KINDS = ("classification", "regression")


def cross_validated_probe(features: np.ndarray, labels: np.ndarray, *, kind: str = "classification",
                          n_splits: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-fold predictions of a linear probe, one per sample.

    Parameters
    ----------
    features
        ``(n_samples, n_features)``.
    labels
        Class labels (classification) or numbers (regression), one per sample.
    kind
        ``"classification"`` (multinomial logistic regression, penalty by inner 3-fold CV over
        :data:`PROBE_CS`) or
        ``"regression"`` (ridge with per-target penalty by leave-one-out).
    n_splits, seed
        Outer folds (stratified by label for classification) and their shuffling seed.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    features = np.asarray(features, dtype=np.float64)
    labels = np.asarray(labels)
    if kind == "classification":
        counts = np.unique(labels, return_counts=True)[1]
        if counts.min() < n_splits:
            raise ValueError(f"The probe needs at least {n_splits} stimuli of every label for "
                             f"{n_splits}-fold cross-validation; the rarest label has "
                             f"{counts.min()}.")
        folds = StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(features, labels)
        predictions = np.empty(len(labels), dtype=labels.dtype)
    else:
        folds = KFold(n_splits, shuffle=True, random_state=seed).split(features)
        predictions = np.empty(len(labels), dtype=np.float64)
    from threadpoolctl import threadpool_limits

    # Probes are small: BLAS threads cost more than they give (10x slower on a busy machine).
    with threadpool_limits(limits=1, user_api="blas"):
        folds = list(folds)
        standardised = []
        for train, test in folds:
            mean = features[train].mean(axis=0)
            scale = features[train].std(axis=0)
            scale[scale == 0] = 1.0
            standardised.append(((features[train] - mean) / scale, labels[train],
                                 (features[test] - mean) / scale))
        if kind == "classification":
            fold_predictions = _logistic_fit_predict(standardised, seed)
        else:
            fold_predictions = [_ridge_fit_predict(X_train, y_train, X_test)
                                for X_train, y_train, X_test in standardised]
        for (_, test), predicted in zip(folds, fold_predictions):
            predictions[test] = predicted
    return predictions


#: Inverse penalties searched by the logistic probe's inner cross-validation.
PROBE_CS = (0.01, 0.1, 1.0, 10.0)


def _ridge_fit_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray
                       ) -> np.ndarray:
    from dynamic_vision.statistics.linear_models import RidgeCVRegression

    probe = RidgeCVRegression().fit(X_train, y_train.astype(np.float64)[:, None])
    return np.asarray(probe.predict(X_test)).reshape(-1)


def _logistic_fit_predict(folds: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                          seed: int) -> list[np.ndarray]:
    """Multinomial logistic regression per outer fold ``(X_train, y_train, X_test)``, its C
    chosen by inner stratified 3-fold accuracy.

    Every fit minimises scikit-learn's ``LogisticRegression(C=c)`` objective exactly (see
    :mod:`~dynamic_vision.statistics.linear_models.logistic_newton`): in sample space when
    features outnumber samples, each outer fold's inner folds and penalties from one Gram
    matrix, all outer folds solved together.
    """
    from sklearn.model_selection import StratifiedKFold

    from dynamic_vision.statistics.linear_models.logistic_newton import (
        cross_validated_logistic_many,
    )

    results: list[np.ndarray | None] = [None] * len(folds)
    problems, solved = [], []
    for index, (X_train, y_train, X_test) in enumerate(folds):
        if len(np.unique(y_train)) < 2:
            results[index] = np.full(len(X_test), y_train[0])
            continue
        n_inner = min(3, int(np.unique(y_train, return_counts=True)[1].min()))
        inner = (list(StratifiedKFold(n_inner, shuffle=True, random_state=seed)
                      .split(X_train, y_train)) if n_inner >= 2 else [])
        problems.append((X_train, y_train, X_test, inner))
        solved.append(index)
    for index, (predicted, _) in zip(solved, cross_validated_logistic_many(problems, PROBE_CS)):
        results[index] = predicted
    return results


class TaskBenchmark(HeldOutStimuli, Benchmark):
    """Decode a label of each stimulus from a model's activations with a linear probe.

    Parameters
    ----------
    identifier
        ``<StimulusSet>.<label>-<probe>``, e.g. ``"RandomDots.direction-logistic"``.
    stimuli
        A StimulusSet with the ``label`` column (identifier, loader callable or object).
    label
        Column to decode.
    kind
        ``"classification"`` (accuracy) or ``"regression"`` (Pearson r).
    condition
        Optional column by which the score is broken down (e.g. ``"coherence"``).
    region
        Region the model records from (the probe reads this region's activations).
    window_ms
        ``(start_ms, end_ms)`` averaged into one feature vector; default: the whole of the
        shortest stimulus.
    n_splits, held_out_fraction, split_seed, select_layers
        Probe folds; the public/held-out split (stratified by ``label``); layer selection.
    """

    ceiling_convention = "none"

    def __init__(self, identifier: str | BenchmarkSpec, *, stimuli: Any = None,
                 label: str = "label", kind: str = "classification",
                 condition: str | None = None, region: str | None = None,
                 window_ms: tuple[float, float] | None = None, n_splits: int = 5,
                 held_out_fraction: float | None = 0.5, split_seed: int = 0,
                 select_layers: bool = True, visual_degrees: float | None = None,
                 version: int | None = None, bibtex: str | None = None):
        from dynamic_vision.core.registry import stimulus_set_registry

        super().__init__(identifier, version=version, bibtex=bibtex)
        identifier = self.identifier
        if kind not in TASK_KINDS:
            raise ValueError(f"Unknown task kind {kind!r} for '{identifier}'; use one of "
                             f"{TASK_KINDS}.")
        stimuli = self.required("stimulus_set", stimuli)
        self.label = label
        self.kind = kind
        self.condition = condition
        self.region = self.declared("region", region, "IT")
        self.window_ms = window_ms
        self.n_splits = int(n_splits)
        self.held_out_fraction = held_out_fraction
        self.split_seed = split_seed
        self.select_layers = select_layers
        self.visual_degrees = float(self.declared("visual_degrees", visual_degrees, 8.0))
        stratify = ((label,) + ((condition,) if condition else ())
                    if kind == "classification" else ())
        self._partition = PartitionedStimuli(
            LazyData(stimuli, stimulus_set_registry, "stimuli"),
            held_out_fraction=held_out_fraction, stratify=stratify, seed=split_seed,
            owner=identifier)
        self._ceiling = None

    # -- data --------------------------------------------------------------------------------
    @property
    def stimuli(self) -> Any:
        """The StimulusSet, checked for the label (and condition) column."""
        stimuli = self._partition.stimuli
        for column in [self.label] + ([self.condition] if self.condition else []):
            if column not in stimuli.columns:
                raise ValueError(f"Benchmark '{self.identifier}' needs a '{column}' column in "
                                 f"stimulus set '{getattr(stimuli, 'identifier', '?')}'.")
        return stimuli

    def _checked_partition(self) -> PartitionedStimuli:
        self.stimuli  # noqa: B018  (raises when the label or condition column is missing)
        return self._partition

    @property
    def split(self) -> StimulusSplit | None:
        """Public/held-out split, keeping label (and condition) proportions equal."""
        return self._checked_partition().split

    def _ids(self, part: str) -> list[str]:
        return self._checked_partition().ids(part)

    @property
    def time_bins(self) -> list[tuple[float, float]]:
        if self.window_ms is not None:
            return [(float(self.window_ms[0]), float(self.window_ms[1]))]
        return [(0.0, float(self.stimuli["duration_ms"].min()))]

    @property
    def chance(self) -> float:
        """Accuracy of guessing (classification), 0 for regression."""
        if self.kind != "classification":
            return 0.0
        return 1.0 / self.stimuli[self.label].nunique()

    # -- scoring -----------------------------------------------------------------------------
    def _layers(self, candidate: Any) -> list[str] | None:
        layers = getattr(candidate, "layers", None)
        if not self.select_layers or self.split is None or not layers or isinstance(layers, str):
            return None
        layers = [str(layer) for layer in layers]
        return layers if len(layers) > 1 else None

    def _rows(self, ids: Sequence[str]) -> Any:
        return self.stimuli.set_index(self.stimuli["stimulus_id"].astype(str)).loc[list(ids)]

    def _probe_score(self, features: xr.DataArray, ids: Sequence[str]
                     ) -> tuple[float, np.ndarray, np.ndarray]:
        selected = select_stimuli(features, ids)
        order = selected["stimulus_id"].values.astype(str)
        rows = self._rows(order)
        labels = rows[self.label].to_numpy()
        predictions = cross_validated_probe(selected.values[:, :, 0], labels, kind=self.kind,
                                            n_splits=self.n_splits, seed=self.split_seed)
        return self._measure(predictions, labels), predictions, order

    def _measure(self, predictions: np.ndarray, labels: np.ndarray) -> float:
        if self.kind == "classification":
            return float(np.mean(predictions == labels))
        from dynamic_vision.statistics.correlation import pearson_columns

        return float(pearson_columns(predictions.astype(float)[:, None],
                                     labels.astype(float)[:, None])[0])

    def __call__(self, candidate: Any) -> Score:
        layers = self._layers(candidate)
        time_bins = self.time_bins
        check_time_bins_in_stimuli(time_bins, self.stimuli, self.identifier)
        if layers is not None:
            candidate.start_recording(self.region, time_bins, layers=layers)
            shown = self.stimuli
        else:
            candidate.start_recording(self.region, time_bins)
            shown = self.held_out_stimuli
        source = candidate.look_at(shown)
        source = check_model_output(source, candidate, time_bins,
                                    shown["stimulus_id"].astype(str).tolist())
        held = self._ids("held_out")
        layer_detail = None
        if layers is None:
            raw, predictions, order = self._probe_score(source, held)
        else:
            layer_of = source["layer"].values.astype(str)
            public_scores, held_results = [], []
            for layer in layers:
                features = source.isel(neuroid=layer_of == layer)
                public_scores.append(self._probe_score(features, self._ids("public"))[0])
                held_results.append(self._probe_score(features, held))
            best = int(np.nanargmax(public_scores))
            raw, predictions, order = held_results[best]
            layer_detail = xr.Dataset(
                {"layer_raw": ("layer", [r[0] for r in held_results]),
                 "layer_public_raw": ("layer", public_scores)},
                coords={"layer": layers}, attrs={"selected_layer": layers[best]})
        return self._assemble(raw, predictions, order, layer_detail)

    def _assemble(self, raw: float, predictions: np.ndarray, order: np.ndarray,
                  layer_detail: xr.Dataset | None) -> Score:
        rows = self._rows(order)
        labels = rows[self.label].to_numpy()
        detail = xr.Dataset(
            {"prediction": ("presentation", predictions)},
            coords={"stimulus_id": ("presentation", order),
                    self.label: ("presentation", labels)})
        if self.condition:
            conditions = rows[self.condition].to_numpy()
            levels = np.unique(conditions)
            per_level = [self._measure(predictions[conditions == level],
                                       labels[conditions == level]) for level in levels]
            counts = [int((conditions == level).sum()) for level in levels]
            detail[f"{self.condition}_raw"] = (self.condition, per_level)
            detail[f"{self.condition}_n"] = (self.condition, counts)
            detail = detail.assign_coords({self.condition: levels})
        if layer_detail is not None:
            detail = detail.merge(layer_detail, compat="override", join="outer")
            detail.attrs.update(layer_detail.attrs)
        # Binomial standard error of an accuracy; for r, the Fisher-z approximation.
        n = len(predictions)
        error = (np.sqrt(raw * (1 - raw) / n) if self.kind == "classification"
                 else (1 - raw**2) / np.sqrt(max(n - 3, 1)))
        result = Score.from_raw(raw, float(error), detail=detail).ceiled(1.0, "none")
        extra = {"selected_layer": layer_detail.attrs["selected_layer"]} if layer_detail else {}
        return result.with_provenance(chance=self.chance, task=self.kind, label=self.label,
                                      region=self.region, n_held_out_stimuli=n, **extra)
