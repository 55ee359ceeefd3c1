"""Conformance checks for model plugins (run by ``check_model`` and the core test suite).

Each check takes a registered model identifier and loads it in its *test configuration*: random
weights (``pretrained=False``) plus the registration's ``check_options`` (e.g. ``{"input_size":
32, "clip_length": 4}``), which keep the forward passes tiny. Models are shown the generated
probe clips of :mod:`dynamic_vision.testing.probe_stimuli`. One loaded model is shared by all
checks of an identifier, and recordings come from the activation cache after the first look, so
the checks together cost about two extractions per model; only the determinism check extracts
afresh on purpose.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from dynamic_vision.core.brain_model import BrainModel
from dynamic_vision.core.errors import MissingDependencyError
from dynamic_vision.core.registry import model_registry
from dynamic_vision.core.storage import NO_CACHE_VARIABLE
from dynamic_vision.testing.checks import check

__all__ = ["load_for_checks", "probe_recording", "layer_shapes", "random_twin_layer_shapes",
           "PROBE_TIME_BINS",
           "PROBE_REGION", "restrained_threads"]

#: Bins covering the 1-second probe clips, plus one after they end (filled by the last step).
PROBE_TIME_BINS = [(0.0, 250.0), (250.0, 500.0), (500.0, 750.0), (750.0, 1000.0),
                   (1000.0, 1250.0)]
PROBE_REGION = "probe"


@contextlib.contextmanager
def restrained_threads() -> Iterator[None]:
    """One intra-op thread: tiny forward passes only lose time to thread hand-offs, badly so on
    a shared machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def load_for_checks(identifier: str) -> Any:
    """The model ``identifier`` with random weights and its declared test-sized options.

    A pretrained entry whose ``-random`` twin is registered (``random_twin_of``) builds exactly
    that twin when asked for random weights, so both share one loaded model.
    """
    twin = f"{identifier}-random"
    if twin in model_registry and \
            model_registry.entry(twin).metadata.get("random_twin_of") == identifier:
        identifier = twin
    return _load(identifier)


def _load(identifier: str) -> Any:
    try:
        return _load_cached(identifier)
    except MissingDependencyError as error:  # an optional library that is not installed
        try:
            import pytest
        except ImportError:  # pragma: no cover (run_checks outside pytest)
            raise error from None
        pytest.skip(str(error))


@functools.lru_cache(maxsize=4)
def _load_cached(identifier: str) -> Any:
    options = dict(model_registry.entry(identifier).metadata.get("check_options", {}))
    return model_registry.load(identifier, pretrained=False, **options)


@functools.lru_cache(maxsize=1)
def _probe_stimuli() -> Any:
    from dynamic_vision.testing.probe_stimuli import probe_stimulus_set

    return probe_stimulus_set()


def _layers(model: Any) -> list[str] | None:
    layers = getattr(model, "layers", None)
    return list(layers) if layers else None


def probe_recording(model: Any, stimuli: Any = None, number_of_trials: int = 1) -> Any:
    """Record every declared layer (or the committed region) while ``model`` sees the probes."""
    stimuli = _probe_stimuli() if stimuli is None else stimuli
    layers = _layers(model)
    with restrained_threads():
        if layers:
            model.start_recording(PROBE_REGION, PROBE_TIME_BINS, layers=layers)
        else:
            model.start_recording(PROBE_REGION, PROBE_TIME_BINS)
        return model.look_at(stimuli, number_of_trials=number_of_trials)


def layer_shapes(spec: Any, module: Any, batch_size: int = 2) -> list[tuple[str, tuple[int, ...]]]:
    """``(layer, output shape)`` for every call of a declared layer during one forward pass of
    random input in the spec's geometry (a layer that runs twice appears twice)."""
    import torch

    from dynamic_vision.modeling.activations.hooks import LayerRecorder

    size = (spec.input_size, spec.input_size)
    shape = (batch_size, 3, spec.clip_length, *size) if spec.kind == "video" else \
        (batch_size, 3, *size)
    calls: list[tuple[str, tuple[int, ...]]] = []
    with restrained_threads(), torch.no_grad(), LayerRecorder(
            module, spec.layers, lambda layer, output: calls.append((layer, tuple(output.shape)))):
        module(torch.rand(shape))
    return calls


def random_twin_layer_shapes(zoo: Any, **options: Any) -> tuple[Any, dict[str, tuple[int, ...]]]:
    """The random twin of a zoo model built with ``options`` (test size), and the output shape
    of each declared layer in one forward pass; asserts that the twin has no weights and that
    every declared layer runs once, in declaration order."""
    spec, module = zoo.build_module(pretrained=False, **options)
    assert spec.weights is None, spec.identifier
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    return spec, dict(calls)


@check("model")
def check_loads_as_brain_model(identifier: str) -> None:
    """Loads with random weights as a BrainModel with an identifier and a visual angle."""
    model = load_for_checks(identifier)
    missing = [name for name in ("look_at", "start_recording", "start_task", "visual_degrees")
               if not callable(getattr(model, name, None))]
    assert not missing, f"the loaded object lacks BrainModel methods {missing}"
    assert isinstance(model, BrainModel)
    assert isinstance(model.identifier, str) and model.identifier, "identifier must be a string"
    degrees = model.visual_degrees()
    assert math.isfinite(degrees) and degrees > 0, f"visual_degrees() gave {degrees!r}"


@check("model")
def check_records_declared_layers(identifier: str) -> None:
    """Recordings have the assembly layout, one row per stimulus, every layer, finite values."""
    model = load_for_checks(identifier)
    stimuli = _probe_stimuli()
    recording = probe_recording(model)
    assert recording.dims == ("presentation", "neuroid", "time_bin"), \
        f"dims are {recording.dims}, expected ('presentation', 'neuroid', 'time_bin')"
    assert list(recording["stimulus_id"].values) == list(stimuli["stimulus_id"]), \
        "presentations must follow the stimulus set's order, with a stimulus_id coord"
    for coord in ("neuroid_id", "region"):
        assert coord in recording.coords and recording[coord].dims == ("neuroid",), \
            f"missing neuroid coord '{coord}'"
    assert len(set(recording["neuroid_id"].values)) == recording.sizes["neuroid"], \
        "neuroid_id values must be unique"
    assert set(recording["region"].values) == {PROBE_REGION}
    np.testing.assert_allclose(recording["time_bin_start"].values,
                               [b[0] for b in PROBE_TIME_BINS], err_msg="time_bin_start")
    np.testing.assert_allclose(recording["time_bin_end"].values,
                               [b[1] for b in PROBE_TIME_BINS], err_msg="time_bin_end")
    layers = _layers(model)
    if layers:
        assert "layer" in recording.coords, "layered models must give neuroids a 'layer' coord"
        recorded = set(recording["layer"].values)
        assert recorded == set(layers), f"layers {sorted(set(layers) - recorded)} gave no neuroids"
    values = recording.values
    assert np.issubdtype(values.dtype, np.floating), f"values have dtype {values.dtype}"
    assert np.isfinite(values).all(), \
        f"{int((~np.isfinite(values)).sum())} of {values.size} values are not finite"
    assert values.std() > 0, "every recorded value is the same"


@check("model")
def check_recording_is_deterministic(identifier: str) -> None:
    """Extracting again, without any cache and in another batch, gives the same numbers."""
    model = load_for_checks(identifier)
    stimuli = _probe_stimuli()
    full = probe_recording(model)
    rows = [0, len(stimuli) - 1]
    previous = os.environ.get(NO_CACHE_VARIABLE)
    os.environ[NO_CACHE_VARIABLE] = "1"
    try:
        again = probe_recording(model, stimuli.iloc[rows])
    finally:
        if previous is None:
            os.environ.pop(NO_CACHE_VARIABLE)
        else:
            os.environ[NO_CACHE_VARIABLE] = previous
    np.testing.assert_allclose(again.values, full.values[rows], rtol=1e-4, atol=1e-4,
                               err_msg="a second extraction of the same stimuli differs")


@check("model")
def check_time_bins_follow_the_stimulus(identifier: str) -> None:
    """Moving bars give time bins that differ; a still image gives the same response in every
    bin while it is shown."""
    model = load_for_checks(identifier)
    recording = probe_recording(model)
    ids = list(recording["stimulus_id"].values)
    moving = recording.values[ids.index("bar-right-w3")]
    assert not np.allclose(moving[:, 0], moving[:, 3]), \
        "the first and last time bins of a moving bar are identical: the model ignores time " \
        "(or every layer pools it away)"
    still = recording.values[ids.index("bar-still")]
    from dynamic_vision.testing.probe_stimuli import IMAGE_DURATION_MS

    shown = [i for i, (start, end) in enumerate(PROBE_TIME_BINS) if end <= IMAGE_DURATION_MS]
    if getattr(getattr(model, "spec", None), "kind", None) == "image":
        for i in shown[1:]:
            np.testing.assert_allclose(still[:, i], still[:, shown[0]], rtol=1e-5, atol=1e-6,
                                       err_msg="a frame-wise model changed its response to a "
                                               "still image")


@check("model")
def check_number_of_trials(identifier: str) -> None:
    """``number_of_trials=2`` repeats every presentation, with a ``repetition`` coord."""
    model = load_for_checks(identifier)
    once = probe_recording(model)
    twice = probe_recording(model, number_of_trials=2)
    n = once.sizes["presentation"]
    assert twice.sizes["presentation"] == 2 * n, \
        f"{twice.sizes['presentation']} presentations for 2 trials of {n} stimuli"
    assert "repetition" in twice.coords, "repeated trials need a 'repetition' coord"
    for stimulus_id in once["stimulus_id"].values:
        rows = twice.values[twice["stimulus_id"].values == stimulus_id]
        assert rows.shape[0] == 2, f"stimulus '{stimulus_id}' is not shown twice"


@check("model")
def check_label_task(identifier: str) -> None:
    """After ``start_task("label", fitting)``, ``look_at`` labels every stimulus."""
    model = load_for_checks(identifier)
    stimuli = _probe_stimuli()
    clips = stimuli[stimuli["label"] != "still"]
    with restrained_threads():
        model.start_task("label", clips)
        choices = model.look_at(clips)
    try:
        assert choices.dims == ("presentation",), f"label task output has dims {choices.dims}"
        assert list(choices["stimulus_id"].values) == list(clips["stimulus_id"])
        assert set(map(str, choices.values)) <= {"left", "right"}, \
            f"labels {set(map(str, choices.values))} are not among the fitting labels"
    finally:
        model.start_task("passive")
