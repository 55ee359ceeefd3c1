"""AlexNet at test size: the random twin's identity and the shape of every declared layer."""

from dynamic_vision.models.alexnet.model import ZOO
from dynamic_vision.testing.model_checks import layer_shapes

# Batch of 2 frames.
EXPECTED_SHAPES = {
    "features.2": (2, 64, 7, 7),
    "features.5": (2, 192, 3, 3),
    "features.7": (2, 384, 3, 3),
    "features.9": (2, 256, 3, 3),
    "features.12": (2, 256, 1, 1),
    "classifier.2": (2, 4096),
    "classifier.5": (2, 4096),
}


def test_layers_record_in_image_layout():
    spec, module = ZOO.build_module(pretrained=False, input_size=64)
    assert (spec.identifier, spec.weights) == ("alexnet-random-input_size64", None)
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
