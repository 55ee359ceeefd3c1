"""ConvNeXt-T at test size: the random twin's identity and the shape of every declared layer."""

from dynamic_vision.models.convnext_tiny.model import ZOO
from dynamic_vision.testing.model_checks import layer_shapes

# Batch of 2 frames.
EXPECTED_SHAPES = {
    "features.1": (2, 96, 8, 8),
    "features.3": (2, 192, 4, 4),
    "features.5": (2, 384, 2, 2),
    "features.7": (2, 768, 1, 1),
    "avgpool": (2, 768, 1, 1),
}


def test_layers_record_in_image_layout():
    spec, module = ZOO.build_module(pretrained=False, input_size=32)
    assert (spec.identifier, spec.weights) == ("convnext_tiny-random-input_size32", None)
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
