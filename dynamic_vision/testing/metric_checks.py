"""Conformance checks for metric plugins, plus the toy assemblies they run on.

Every registered metric must: return a :class:`~dynamic_vision.core.scores.Score` with a finite raw
value; be deterministic; accept time-binned assemblies and report per-time-bin detail; score a
perfect source (the target itself) near 1 and a stimulus-shuffled source near 0. Metrics that
score something other than neural assemblies (behaviour, decoding) declare
``input_kind="behavior"`` / ``"labels"`` in their registration metadata and are checked on
matching toy data.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

from dynamic_vision.core.registry import metric_registry
from dynamic_vision.core.scores import Score
from dynamic_vision.testing.checks import check

__all__ = ["toy_assemblies", "toy_behavior", "toy_labels"]


def toy_assemblies(n_stimuli: int = 100, n_neuroids: int = 12, n_features: int = 40,
                   n_time_bins: int | None = None, noise: float = 0.5, seed: int = 0,
                   n_categories: int = 4) -> tuple[xr.DataArray, xr.DataArray]:
    """(source, target): model features and recordings that are a noisy linear map of them.

    Both are ``presentation × neuroid [× time_bin]`` with ``stimulus_id`` and ``category`` on
    presentations; the target also has ``neuroid_id`` and time-bin start/end coordinates.
    """
    rng = np.random.default_rng(seed)
    bins = n_time_bins or 1
    features = rng.normal(size=(n_stimuli, n_features, bins))
    weights = rng.normal(size=(n_features, n_neuroids)) / np.sqrt(n_features)
    responses = np.einsum("sfb,fn->snb", features, weights)
    responses += noise * rng.normal(size=responses.shape)
    ids = [f"stim{i:04d}" for i in range(n_stimuli)]
    categories = [f"cat{i % n_categories}" for i in range(n_stimuli)]
    presentation = {"stimulus_id": ("presentation", ids),
                    "category": ("presentation", categories)}
    time = {"time_bin_start": ("time_bin", 50.0 * np.arange(bins)),
            "time_bin_end": ("time_bin", 50.0 * np.arange(1, bins + 1))}
    dims = ("presentation", "neuroid", "time_bin")
    source = xr.DataArray(features, dims=dims, coords={
        **presentation, "neuroid_id": ("neuroid", [f"unit{i}" for i in range(n_features)]),
        **time})
    target = xr.DataArray(responses, dims=dims, coords={
        **presentation, "neuroid_id": ("neuroid", [f"n{i}" for i in range(n_neuroids)]),
        "region": ("neuroid", ["MT"] * n_neuroids), **time})
    if n_time_bins is None:
        source, target = source.isel(time_bin=0, drop=True), target.isel(time_bin=0, drop=True)
        source = source.drop_vars(["time_bin_start", "time_bin_end"], errors="ignore")
        target = target.drop_vars(["time_bin_start", "time_bin_end"], errors="ignore")
    return source, target


def toy_labels(n_stimuli: int = 60, n_classes: int = 3, n_features: int = 20,
               separation: float = 3.0, seed: int = 0) -> tuple[xr.DataArray, xr.DataArray]:
    """(features, labels): class-separable features and a ``label`` target per stimulus."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n_stimuli) % n_classes
    centers = rng.normal(size=(n_classes, n_features)) * separation
    features = centers[labels] + rng.normal(size=(n_stimuli, n_features))
    ids = [f"stim{i:04d}" for i in range(n_stimuli)]
    source = xr.DataArray(features, dims=("presentation", "neuroid"),
                          coords={"stimulus_id": ("presentation", ids)})
    names = np.array([f"class{k}" for k in labels])
    target = xr.DataArray(names, dims=("presentation",),
                          coords={"stimulus_id": ("presentation", ids),
                                  "label": ("presentation", names)})
    return source, target


def toy_behavior(n_objects: int = 4, images_per_object: int = 6, trials_per_image: int = 40,
                 seed: int = 0, sharpness: float = 2.0
                 ) -> tuple[xr.DataArray, xr.DataArray]:
    """(model probabilities, human trials) for a 2-alternative object recognition task.

    The model's choice probabilities (``presentation × choice``) come from image-specific
    difficulties; the trials (one row per trial with ``stimulus_id``, ``label``, ``distractor``
    and ``choice``) are sampled from the same difficulties, so the two agree up to sampling.
    """
    rng = np.random.default_rng(seed)
    objects = [f"obj{k}" for k in range(n_objects)]
    n_images = n_objects * images_per_object
    image_label = np.repeat(np.arange(n_objects), images_per_object)
    evidence = rng.normal(size=(n_images, n_objects)) * sharpness
    evidence[np.arange(n_images), image_label] += sharpness * 1.5
    probabilities = np.exp(evidence) / np.exp(evidence).sum(1, keepdims=True)
    ids = [f"img{i:03d}" for i in range(n_images)]
    model = xr.DataArray(probabilities, dims=("presentation", "choice"),
                         coords={"stimulus_id": ("presentation", ids),
                                 "label": ("presentation", [objects[k] for k in image_label]),
                                 "choice": ("choice", objects)})
    rows = []
    for image in range(n_images):
        truth = image_label[image]
        distractors = [k for k in range(n_objects) if k != truth]
        for trial in range(trials_per_image):
            distractor = distractors[trial % len(distractors)]
            p_correct = probabilities[image, truth] / (probabilities[image, truth]
                                                       + probabilities[image, distractor])
            correct = rng.random() < p_correct
            rows.append((ids[image], objects[truth], objects[distractor],
                         objects[truth] if correct else objects[distractor], f"sub{trial % 5}"))
    columns = list(zip(*rows))
    trials = xr.DataArray(np.ones(len(rows)), dims=("presentation",), coords={
        "stimulus_id": ("presentation", list(columns[0])),
        "label": ("presentation", list(columns[1])),
        "distractor": ("presentation", list(columns[2])),
        "choice": ("presentation", list(columns[3])),
        "subject": ("presentation", list(columns[4]))})
    return model, trials


def _input_kind(identifier: str) -> str:
    return str(metric_registry.entry(identifier).metadata.get("input_kind", "neural"))


def _inputs(identifier: str, time_bins: int | None = None, seed: int = 0):
    kind = _input_kind(identifier)
    if kind == "behavior":
        return toy_behavior(seed=seed)
    if kind == "labels":
        return toy_labels(seed=seed)
    return toy_assemblies(n_time_bins=time_bins, seed=seed, noise=0.3)


def _score(identifier: str, source, target) -> Score:
    metric = metric_registry.load(identifier)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return metric(source, target)


@check("metric")
def check_metric_returns_score(identifier: str) -> None:
    """The metric returns a raw Score with a finite value in [-1, 1] and detail."""
    score = _score(identifier, *_inputs(identifier))
    assert isinstance(score, Score), f"returned {type(score).__name__}, not a Score"
    assert np.isfinite(score.raw), f"raw score is {score.raw}"
    assert -1.0 - 1e-9 <= score.raw <= 1.0 + 1e-9, f"raw score {score.raw} is outside [-1, 1]"
    assert score.convention == "none", "metrics return raw (not yet ceiled) scores"


@check("metric")
def check_metric_is_deterministic(identifier: str) -> None:
    """Scoring the same inputs twice gives the same value."""
    inputs = _inputs(identifier)
    first, second = _score(identifier, *inputs), _score(identifier, *inputs)
    assert abs(first.raw - second.raw) < 1e-6, f"{first.raw} != {second.raw}"


@check("metric")
def check_metric_handles_time_bins(identifier: str) -> None:
    """Time-binned inputs give per-time-bin detail with time_bin_start/time_bin_end."""
    if _input_kind(identifier) != "neural":
        return
    score = _score(identifier, *_inputs(identifier, time_bins=3))
    binned = [name for name, var in score.detail.data_vars.items() if "time_bin" in var.dims]
    assert binned, "no detail variable has a time_bin dimension"
    assert "time_bin_start" in score.detail.coords and "time_bin_end" in score.detail.coords
    assert score.detail.sizes["time_bin"] == 3


@check("metric")
def check_metric_perfect_and_shuffled(identifier: str) -> None:
    """Source == target scores ≈ 1; a stimulus-shuffled source scores ≈ 0."""
    if _input_kind(identifier) != "neural":
        return
    _, target = toy_assemblies(n_stimuli=100, seed=3, noise=0.3)
    perfect = _score(identifier, target, target)
    assert perfect.raw > 0.9, f"source == target scored {perfect.raw:.3f}, expected ≈ 1"
    shuffled = target.copy()
    shuffled["stimulus_id"] = ("presentation",
                               np.random.default_rng(0).permutation(target["stimulus_id"].values))
    chance = _score(identifier, shuffled, target)
    assert abs(chance.raw) < 0.25, f"a shuffled source scored {chance.raw:.3f}, expected ≈ 0"
