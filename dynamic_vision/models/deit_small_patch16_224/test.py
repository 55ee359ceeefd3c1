"""DeiT-S at test size: the random twin's identity and the shape of every declared layer."""

from dynamic_vision.models.deit_small_patch16_224.model import ZOO
from dynamic_vision.testing.model_checks import layer_shapes

# Batch of 2 frames.
EXPECTED_SHAPES = {
    "blocks.2": (2, 5, 384),
    "blocks.5": (2, 5, 384),
    "blocks.8": (2, 5, 384),
    "blocks.11": (2, 5, 384),
    "norm": (2, 5, 384),
}


def test_layers_record_in_image_layout():
    spec, module = ZOO.build_module(pretrained=False, input_size=32)
    assert (spec.identifier, spec.weights) == ("deit_small_patch16_224-random-input_size32", None)
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
