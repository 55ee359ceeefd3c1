"""EfficientNet-B0 at test size: the random twin's identity and the shape of every declared layer."""

from dynamic_vision.models.efficientnet_b0.model import ZOO
from dynamic_vision.testing.model_checks import layer_shapes

# Batch of 2 frames.
EXPECTED_SHAPES = {
    "features.2": (2, 24, 8, 8),
    "features.3": (2, 40, 4, 4),
    "features.4": (2, 80, 2, 2),
    "features.6": (2, 192, 1, 1),
    "features.8": (2, 1280, 1, 1),
    "avgpool": (2, 1280, 1, 1),
}


def test_layers_record_in_image_layout():
    spec, module = ZOO.build_module(pretrained=False, input_size=32)
    assert (spec.identifier, spec.weights) == ("efficientnet_b0-random-input_size32", None)
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
