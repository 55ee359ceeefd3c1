"""MC3-18 at test size: the random twin's identity and the shape of every declared layer."""

from dynamic_vision.models.mc3_18.model import ZOO
from dynamic_vision.testing.model_checks import layer_shapes

# Batch of 2; 3-D convolutions only in the stem and layer1, so time is never strided.
EXPECTED_SHAPES = {
    "stem": (2, 64, 4, 16, 16),
    "layer1": (2, 64, 4, 16, 16),
    "layer2": (2, 128, 4, 8, 8),
    "layer3": (2, 256, 4, 4, 4),
    "layer4": (2, 512, 4, 2, 2),
    "avgpool": (2, 512, 1, 1, 1),
}


def test_layers_record_in_video_layout():
    spec, module = ZOO.build_module(pretrained=False, input_size=32, clip_length=4)
    assert (spec.identifier, spec.weights) == ("mc3_18-random-input_size32-clip_length4", None)
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
