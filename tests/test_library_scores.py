"""Models by name score end to end, offline, on the SimMotion V1 benchmark.

``SimMotion.V1-ridge`` is scored exactly as registered (its declaration, factory, metric and
ceiling), on SimMotion data generated with fewer conditions: 88 clips instead of 256, about the
fewest whose public quarter still fills this benchmark's stratified splits (the data plugin's
own ``small`` variant does not). The full data take about ten minutes per model on two cores
without testing anything more. The tests share their own ``DYNAMIC_VISION_HOME``, so
scores and ceilings of the reduced data never meet the full benchmark's caches.
"""

from __future__ import annotations

import math

import pytest

import dynamic_vision as dv

pytestmark = pytest.mark.slow

SIMMOTION = {"SimMotion", "SimMotion.V1", "SimMotion.MT"}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture
def small_simmotion(monkeypatch, home):
    """Serve the registered SimMotion data with fewer conditions (88 clips)."""
    from dynamic_vision.data.simmotion.parameters import DEFAULT

    reduced = DEFAULT.reduced()
    parameters = type(reduced)(**{
        **reduced.__dict__, "grating_directions": 8, "grating_temporal_frequencies": (4.0, 8.0),
        "grating_contrasts": (0.4, 0.8), "plaid_directions": 8,
        "plaid_spatial_frequencies": (0.04, 0.08, 0.16), "dot_directions": 8,
        "dot_coherences": (0.5, 1.0), "dot_clips_per_condition": 2})
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(home))
    for registry in (dv.dataset_registry, dv.stimulus_set_registry):
        load = registry.load

        def reduced_load(identifier, _load=load, **kwargs):
            if identifier in SIMMOTION:
                kwargs.setdefault("parameters", parameters)
            return _load(identifier, **kwargs)

        monkeypatch.setattr(registry, "load", reduced_load)


def _assert_finite(result, model):
    assert math.isfinite(result.value) and math.isfinite(result.raw), result
    assert result.provenance["model"] == model
    assert result.provenance["benchmark"] == "SimMotion.V1-ridge"


def test_timm_model_by_name_scores(small_simmotion):
    result = dv.score("timm/resnet18", "SimMotion.V1-ridge",
                      model_options={"pretrained": False, "input_size": 64})
    _assert_finite(result, "timm/resnet18")


def test_torchvision_video_builder_by_name_scores(small_simmotion):
    result = dv.score("torchvision/r3d_18", "SimMotion.V1-ridge",
                      model_options={"pretrained": False, "input_size": 32, "clip_length": 4,
                                     "layers": ["layer2", "layer4"]})
    _assert_finite(result, "torchvision/r3d_18")


def test_transformers_video_model_by_name_scores(small_simmotion):
    pytest.importorskip("transformers")
    tiny = {"hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 2,
            "num_hidden_layers": 4}
    result = dv.score("transformers/videomae", "SimMotion.V1-ridge",
                      model_options={"config": tiny, "input_size": 32, "clip_length": 4})
    _assert_finite(result, "transformers/videomae")
