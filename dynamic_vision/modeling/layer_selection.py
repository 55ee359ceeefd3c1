"""Choosing the layer a model commits to a region, when the model does not say.

Procedure (the same for every region and model):

1. Take a *public* split of a benchmark for the region: its stimuli and the repetition-averaged
   recordings ``(presentation, neuroid[, time_bin])``. Never use the data the model will be scored
   on, or the score is biased upwards.
2. Record every candidate layer (default: all of ``spec.layers``) in the recordings' time bins
   (one bin ``[0, median stimulus duration)`` when they have none).
3. Score each layer with a scorer ``scorer(source, target) -> float``. The default,
   :func:`ridge_scorer`, is a 5-fold cross-validated ridge regression (scikit-learn ``RidgeCV``,
   one alpha per neuroid from a fixed grid) fitted per time bin; its score is the mean Pearson r
   between held-out predictions and recordings over neuroids and time bins. Any metric works:
   pass ``scorer="ridge"`` (a registered metric identifier; its ``float(Score)`` is used) or a
   callable.
4. The best-scoring layer wins (ties go to the earlier layer). The per-layer scores are cached
   on disk under ``DYNAMIC_VISION_HOME/layer_selection`` keyed by model (and weights), region,
   candidate layers, scorer, stimuli and recordings.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.core import storage

__all__ = ["LayerSelection", "LayerSelector", "select_layer", "ridge_scorer"]

logger = logging.getLogger(__name__)

Scorer = Callable[[xr.DataArray, xr.DataArray], float]
#: Public data of a region: ``(stimuli, recordings)`` or a function returning them.
RegionData = tuple[Any, xr.DataArray] | Callable[[], tuple[Any, xr.DataArray]]


@dataclass(frozen=True)
class LayerSelection:
    """The outcome of :func:`select_layer`."""

    region: str
    layer: str
    scores: Mapping[str, float]


def _averaged_by_stimulus(target: xr.DataArray) -> xr.DataArray:
    ids = np.asarray(target["stimulus_id"].values).astype(str)
    if len(np.unique(ids)) == len(ids):
        return target
    return target.groupby("stimulus_id").mean("presentation")


def _matrix_per_bin(array: xr.DataArray, ids: Sequence[str]) -> list[np.ndarray]:
    """``(presentation, neuroid)`` matrices per time bin, rows ordered as ``ids``."""
    positions = {sid: i for i, sid in enumerate(np.asarray(array["stimulus_id"].values).astype(str))}
    try:
        rows = [positions[sid] for sid in ids]
    except KeyError as error:
        raise ValueError(f"Stimulus {error.args[0]!r} of the recordings is missing from the "
                         f"model's activations.") from None
    values = array.transpose("presentation", "neuroid", ...).values[rows]
    if values.ndim == 2:
        return [values]
    return [values[:, :, b] for b in range(values.shape[2])]


def ridge_scorer(source: xr.DataArray, target: xr.DataArray, *, n_splits: int = 5,
                 alphas: Sequence[float] = tuple(np.logspace(-2, 6, 9)), seed: int = 0) -> float:
    """Mean held-out Pearson r of a cross-validated ridge from ``source`` to ``target``.

    Both are ``(presentation, neuroid[, time_bin])`` with ``stimulus_id`` on presentations;
    ``target`` is averaged over repeated presentations first. One ridge per time bin.
    """
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    target = _averaged_by_stimulus(target)
    ids = list(np.asarray(target["stimulus_id"].values).astype(str))
    xs, ys = _matrix_per_bin(source, ids), _matrix_per_bin(target, ids)
    if len(xs) != len(ys):
        raise ValueError(f"source has {len(xs)} time bins but target has {len(ys)}.")
    folds = KFold(n_splits=min(n_splits, len(ids)), shuffle=True, random_state=seed)
    scores = []
    for x, y in zip(xs, ys):
        model = make_pipeline(StandardScaler(), RidgeCV(alphas=alphas, alpha_per_target=True))
        predicted = cross_val_predict(model, np.nan_to_num(x), y, cv=folds)
        pc, yc = predicted - predicted.mean(0), y - y.mean(0)
        denominator = np.sqrt((pc ** 2).sum(0) * (yc ** 2).sum(0))
        r = np.divide((pc * yc).sum(0), denominator, out=np.zeros(y.shape[1]),
                      where=denominator > 0)
        scores.append(r.mean())
    return float(np.mean(scores))


def _resolve_scorer(scorer: Scorer | str | None) -> tuple[Scorer, str]:
    if scorer is None:
        return ridge_scorer, "ridge_scorer-v1"
    if isinstance(scorer, str):
        from dynamic_vision.core.registry import metric_registry

        metric = metric_registry.load(scorer)
        return (lambda source, target: float(metric(source, target))), f"metric:{scorer}"
    return scorer, f"{getattr(scorer, '__module__', '')}.{getattr(scorer, '__qualname__', repr(scorer))}"


def _recordings_hash(target: xr.DataArray) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(target.values, dtype=np.float64).tobytes())
    for name in sorted(target.coords):
        digest.update(name.encode())
        digest.update(str(np.asarray(target[name].values).tolist()).encode())
    return digest.hexdigest()[:32]


def _time_bins(target: xr.DataArray, stimuli: Any) -> list[tuple[float, float]]:
    if "time_bin" in target.dims:
        return list(zip(target["time_bin_start"].values.astype(float),
                        target["time_bin_end"].values.astype(float)))
    duration = float(np.nanmedian(np.asarray(stimuli["duration_ms"], dtype=float)))
    return [(0.0, duration if np.isfinite(duration) and duration > 0 else 1000.0)]


def select_layer(model: Any, region: str, stimuli: Any, target: xr.DataArray, *,
                 layers: Sequence[str] | None = None, scorer: Scorer | str | None = None,
                 cache: bool = True) -> LayerSelection:
    """Score every candidate layer of ``model`` on ``(stimuli, target)``; pick the best.

    Parameters
    ----------
    model
        A :class:`~dynamic_vision.modeling.commitment.ModelCommitment`.
    region
        The region the recordings come from.
    stimuli, target
        A public split: its StimulusSet and recordings ``(presentation, neuroid[, time_bin])``.
    layers
        Candidates; default every layer the model offers.
    scorer
        ``None`` (:func:`ridge_scorer`), a registered metric identifier, or a callable.
    cache
        Read and write the on-disk result (also off when ``DYNAMIC_VISION_NO_CACHE=1``).
    """
    from dynamic_vision.modeling.activations.cache_key import weights_identity

    candidates = list(model.layers if layers is None else layers)
    if not candidates:
        raise ValueError(f"No candidate layers to select from for model '{model.identifier}'.")
    score_fn, scorer_name = _resolve_scorer(scorer)
    bins = _time_bins(target, stimuli)
    key = storage.stable_hash(
        list(map(str, model.spec.identity_items())), weights_identity(model.spec, model.module),
        region, candidates, scorer_name, bins, list(map(str, stimuli["stimulus_id"])),
        _recordings_hash(target), {k: str(v) for k, v in model.extraction.items()
                                   if k not in ("progress", "num_workers", "cache", "device")},
        getattr(model, "latency_ms", 0.0))
    safe = storage.safe_name(model.identifier)
    path = storage.home("layer_selection", safe, f"{region}-{key}.json")
    use_cache = cache and storage.cache_enabled()
    scores = _cached_scores(path, candidates) if use_cache else None
    if scores is None:
        model.start_recording(region, bins, layers=candidates)
        source = model.look_at(stimuli)
        target_2d = target if "time_bin" in target.dims else target.expand_dims(
            time_bin=1, axis=-1)
        scores = {}
        for layer in candidates:
            part = source.isel(neuroid=np.flatnonzero(source["layer"].values == layer))
            scores[layer] = float(score_fn(part, target_2d))
            logger.info("Layer selection %s/%s: %s scores %.4f", model.identifier, region,
                        layer, scores[layer])
        if use_cache:
            storage.atomic_write_json(path, {"region": region, "scores": scores,
                                             "scorer": scorer_name})
    finite = {layer: s for layer, s in scores.items() if np.isfinite(s)}
    if not finite:
        raise RuntimeError(f"No layer of model '{model.identifier}' got a finite score for "
                           f"region '{region}': {scores}.")
    best = max(candidates, key=lambda layer: (finite.get(layer, -np.inf),
                                              -candidates.index(layer)))
    return LayerSelection(region, best, dict(scores))


def _cached_scores(path: Any, candidates: Sequence[str]) -> dict[str, float] | None:
    """Every candidate's cached score, or None; a damaged record is named and moved aside."""
    data = storage.read_json_cache(path)
    if data is None:
        return None
    try:
        return {layer: float(data["scores"][layer]) for layer in candidates}
    except (KeyError, TypeError, ValueError) as error:
        storage.quarantine(path, f"not a layer-selection record ({type(error).__name__}: "
                                 f"{error})")
        return None


class LayerSelector:
    """``ModelCommitment(layer_selector=LayerSelector({...}))``: select layers on demand.

    Parameters
    ----------
    data
        Per region, its public ``(stimuli, recordings)`` or a zero-argument function returning
        them (called only when that region is first recorded).
    layers, scorer, cache
        As in :func:`select_layer`.
    """

    def __init__(self, data: Mapping[str, RegionData], *, layers: Sequence[str] | None = None,
                 scorer: Scorer | str | None = None, cache: bool = True):
        self.data = dict(data)
        self.layers = layers
        self.scorer = scorer
        self.cache = cache
        self.selections: dict[str, LayerSelection] = {}

    def __call__(self, model: Any, region: str) -> str:
        if region not in self.data:
            raise KeyError(f"No public data to select a layer of model '{model.identifier}' for "
                           f"region '{region}'; known regions: {sorted(self.data)}.")
        entry = self.data[region]
        stimuli, target = entry() if callable(entry) else entry
        selection = select_layer(model, region, stimuli, target, layers=self.layers,
                                 scorer=self.scorer, cache=self.cache)
        self.selections[region] = selection
        return selection.layer
