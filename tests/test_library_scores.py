"""Models by name score end to end, offline, on the SimMotion V1 benchmark (scored exactly as
registered, on the reduced SimMotion data of ``tests/small_simmotion.py``: 88 clips)."""

from __future__ import annotations

import math

import pytest

import dynamic_vision as dv
from tests import small_simmotion as reduced_data

pytestmark = pytest.mark.slow


@pytest.fixture
def small_simmotion(small_simmotion_home):
    with reduced_data.served(small_simmotion_home):
        yield


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
