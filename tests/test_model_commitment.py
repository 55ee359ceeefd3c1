"""ModelCommitment as a BrainModel: recordings, time bins, trials, tasks, layer selection."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torchvision
import xarray as xr
from PIL import Image

from dynamic_vision.core import storage
from dynamic_vision.io import video
from dynamic_vision.core.brain_model import BrainModel
from dynamic_vision.core.errors import RepairedCacheWarning
from dynamic_vision.modeling.layer_selection import LayerSelector, ridge_scorer, select_layer
from dynamic_vision.modeling.commitment import ModelCommitment
from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.core.temporal import align_time

torch.set_num_threads(1)

SPEC = ModelSpec("resnet18-commit", "image", ("layer1", "layer3", "avgpool"), 32, 20.0,
                 region_layer_map={"V1": "layer1"})


@pytest.fixture(scope="module")
def network():
    torch.manual_seed(0)
    return torchvision.models.resnet18().eval()


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """24 small images of two classes (bright / dark) and one 6-frame video."""
    folder = tmp_path_factory.mktemp("commit-media")
    rng = np.random.default_rng(1)
    files, labels = {}, []
    for i in range(24):
        bright = i % 2 == 0
        pixels = rng.integers(120 if bright else 0, 256 if bright else 136, (36, 36, 3))
        Image.fromarray(pixels.astype(np.uint8)).save(folder / f"im{i:02d}.png")
        files[f"im{i:02d}"] = folder / f"im{i:02d}.png"
        labels.append("bright" if bright else "dark")
    stimuli = StimulusSet.from_files(files, identifier="commit-images", image_duration_ms=100.0)
    stimuli["label"] = labels
    return stimuli


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    rng = np.random.default_rng(2)
    path = tmp_path_factory.mktemp("commit-clip") / "clip.mkv"
    video.write_video(path, rng.integers(0, 255, (6, 32, 32, 3), dtype=np.uint8), 20.0)
    return StimulusSet.from_files({"clip": path}, identifier="commit-clip")


def commitment(network, n_components=64, **kwargs):
    return ModelCommitment(SPEC, network, n_components=n_components, progress=False, **kwargs)


def test_is_a_brain_model(network):
    model = commitment(network)
    assert isinstance(model, BrainModel)
    assert model.identifier == "resnet18-commit" and model.visual_degrees() == 8.0
    assert model.layers == SPEC.layers


def test_recording_aligns_time_steps_to_bins(network, clip):
    model = commitment(network)
    bins = [(0, 50), (25, 125), (300, 400)]
    model.start_recording("V1", bins)
    recorded = model.look_at(clip)
    assert recorded.dims == ("presentation", "neuroid", "time_bin")
    assert set(recorded["region"].values) == {"V1"} and set(recorded["layer"].values) == {"layer1"}
    np.testing.assert_allclose(recorded["time_bin_start"], [0, 25, 300])
    steps = model.activations(clip, ["layer1"])["layer1"]
    assert int(steps["n_steps"][0]) == 6  # 300 ms at 20 fps
    expected = align_time(steps.values[0], steps["step_start_ms"], steps["step_end_ms"], bins)
    np.testing.assert_allclose(recorded.values[0], expected, rtol=1e-6)
    # The last bin starts after the clip ends: it holds the last frame's activations.
    np.testing.assert_allclose(recorded.values[0, :, 2], steps.values[0, :, 5], rtol=1e-6)


def test_several_layers_and_trials(network, images):
    model = commitment(network)
    model.start_recording("IT", [(0, 100)], layers=["layer3", "avgpool"])
    recorded = model.look_at(images.subset(["im00", "im01"]), number_of_trials=3)
    assert recorded.sizes["presentation"] == 6
    assert list(recorded["repetition"].values) == [0, 0, 1, 1, 2, 2]
    assert list(recorded["stimulus_id"].values) == ["im00", "im01"] * 3
    np.testing.assert_array_equal(recorded.values[:2], recorded.values[4:])
    assert recorded.sizes["neuroid"] == 64 + 64  # layer3 projected, avgpool has 512 → 64
    assert len(set(recorded["neuroid_id"].values)) == recorded.sizes["neuroid"]


def test_uncommitted_region_teaches(network, images):
    model = commitment(network)
    with pytest.raises(KeyError, match=r"no layer committed to region 'MT'.*model.commit\('MT'"):
        model.start_recording("MT", [(0, 100)])
    with pytest.raises(KeyError, match="offers no layer 'layer9'"):
        model.commit("MT", "layer9")
    with pytest.raises(RuntimeError, match="before start_recording"):
        model.look_at(images)


def test_probabilities_task(network, images):
    model = commitment(network, readout_layer="avgpool")
    fitting = images.subset([f"im{i:02d}" for i in range(16)])
    model.start_task("probabilities", fitting)
    test = images.subset([f"im{i:02d}" for i in range(16, 24)])
    probabilities = model.look_at(test)
    assert probabilities.dims == ("presentation", "choice")
    assert list(probabilities["choice"].values) == ["bright", "dark"]
    np.testing.assert_allclose(probabilities.sum("choice"), 1, rtol=1e-6)
    model.start_task("label", fitting)
    labels = model.look_at(test)
    assert (labels.values == np.asarray(test["label"])).mean() >= 0.75  # bright vs dark is easy


def test_ridge_scorer_matches_manual_cross_validation():
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 6))
    y = x @ rng.standard_normal((6, 3)) + 0.5 * rng.standard_normal((40, 3))
    ids = [f"s{i}" for i in range(40)]
    source = xr.DataArray(x[:, :, None], dims=("presentation", "neuroid", "time_bin"),
                          coords={"stimulus_id": ("presentation", ids)})
    order = rng.permutation(40)  # the scorer aligns by stimulus_id, not by position
    target = xr.DataArray(y[order, :, None], dims=("presentation", "neuroid", "time_bin"),
                          coords={"stimulus_id": ("presentation", [ids[i] for i in order])})
    predicted = cross_val_predict(
        make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-2, 6, 9),
                                                alpha_per_target=True)),
        x[order], y[order], cv=KFold(5, shuffle=True, random_state=0))
    expected = np.mean([np.corrcoef(predicted[:, j], y[order, j])[0, 1] for j in range(3)])
    assert ridge_scorer(source, target) == pytest.approx(expected, abs=1e-9)
    assert expected > 0.8


@pytest.mark.parametrize("generating", ["layer1", "layer3", "avgpool"])
def test_layer_selection_recovers_the_generating_layer(network, images, tmp_path, monkeypatch,
                                                       generating):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))
    model = commitment(network, n_components=12)
    model.start_recording("IT", [(0, 100)], layers=[generating])
    features = model.look_at(images).values[:, :, 0]
    # Every layer tells bright from dark; recordings made of what only this layer carries
    # (its features with the class removed) must lead selection back to it.
    design = np.c_[np.ones(len(images)), images["label"] == "bright"].astype(float)
    specific = features - design @ np.linalg.lstsq(design, features, rcond=None)[0]
    rng = np.random.default_rng(0)
    mixed = specific @ rng.standard_normal((12, 8))
    target = xr.DataArray(mixed + 0.3 * mixed.std() * rng.standard_normal(mixed.shape),
                          dims=("presentation", "neuroid"),
                          coords={"stimulus_id": ("presentation", list(images["stimulus_id"]))})
    selection = select_layer(model, "IT", images, target)
    assert selection.layer == generating, selection.scores
    assert selection.scores[generating] > 0.5
    assert all(s < 0.2 for layer, s in selection.scores.items() if layer != generating)
    cached = list((tmp_path / "layer_selection").rglob("IT-*.json"))
    assert len(cached) == 1 and storage.read_json(cached[0])["scores"] == selection.scores

    selector = LayerSelector({"IT": lambda: (images, target)})
    fresh = commitment(network, n_components=12, layer_selector=selector)
    fresh.start_recording("IT", [(0, 100)])
    assert fresh.region_layer_map["IT"] == generating
    assert selector.selections["IT"].scores == selection.scores  # served from the cache

    if generating == "layer1":  # a damaged record is named, moved aside and computed again
        cached[0].write_text('{"scores": {"layer1": ')
        with pytest.warns(RepairedCacheWarning, match=re.escape(str(cached[0]))):
            again = select_layer(model, "IT", images, target)
        assert again.scores == pytest.approx(selection.scores, abs=1e-12)
        assert cached[0].with_name(cached[0].name + ".damaged").is_file()
        assert storage.read_json(cached[0])["scores"] == again.scores


def test_model_spec_validates_and_describes_itself():
    with pytest.raises(ValueError, match="kind must be one of"):
        ModelSpec("m", "audio", ("a",), 32, 10.0)
    with pytest.raises(ValueError, match=r"region_layer_map names layers that are not in layers"):
        ModelSpec("m", "image", ("a",), 32, 10.0, region_layer_map={"V1": "b"})
    with pytest.raises(ValueError, match="clip_length must be 1"):
        ModelSpec("m", "image", ("a",), 32, 10.0, clip_length=4)
    with pytest.raises(ValueError, match="fps must be a positive number"):
        ModelSpec("m", "video", ("a",), 32, 0.0)
    spec = ModelSpec("m", "video", ["a", "b"], 32, 10, clip_length=8)
    assert spec.layers == ("a", "b") and spec.fps == 10.0
    assert spec == ModelSpec("m", "video", ("a", "b"), 32, 10.0, clip_length=8)
    assert hash(spec) == hash(ModelSpec("m", "video", ("a", "b"), 32, 10.0, clip_length=8))
    assert spec != ModelSpec("m", "video", ("a", "b"), 32, 10.0, clip_length=8, weights="w:1")
    import json

    assert json.loads(json.dumps(spec.to_dict()))["clip_length"] == 8
