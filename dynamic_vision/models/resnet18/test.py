"""ResNet-18 at test size: the random twin's identity and the shape of every declared layer."""

from dynamic_vision.models.resnet18.model import ZOO
from dynamic_vision.testing.model_checks import layer_shapes

# Batch of 2 frames.
EXPECTED_SHAPES = {
    "layer1": (2, 64, 8, 8),
    "layer2": (2, 128, 4, 4),
    "layer3": (2, 256, 2, 2),
    "layer4": (2, 512, 1, 1),
    "avgpool": (2, 512, 1, 1),
}


def test_layers_record_in_image_layout():
    spec, module = ZOO.build_module(pretrained=False, input_size=32)
    assert (spec.identifier, spec.weights) == ("resnet18-random-input_size32", None)
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
