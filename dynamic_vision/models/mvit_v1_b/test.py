"""MViT-v1-B at test size: the random twin's identity and the shape of every declared layer."""

from dynamic_vision.models.mvit_v1_b.model import ZOO
from dynamic_vision.testing.model_checks import layer_shapes

# Batch of 2; the patch embedding strides time by 2; pooling attention shrinks space only.
EXPECTED_SHAPES = {
    "blocks.0.volume": (2, 192, 2, 8, 8),
    "blocks.2.volume": (2, 384, 2, 4, 4),
    "blocks.4.volume": (2, 384, 2, 2, 2),
    "blocks.8.volume": (2, 384, 2, 2, 2),
    "blocks.13.volume": (2, 768, 2, 2, 2),
    "blocks.15.volume": (2, 768, 2, 1, 1),
}


def test_layers_record_in_video_layout():
    spec, module = ZOO.build_module(pretrained=False, input_size=32, clip_length=4)
    assert (spec.identifier, spec.weights) == ("mvit_v1_b-random-input_size32-clip_length4", None)
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
