"""Video Swin-T at test size: the random twin's identity and the shape of every declared layer."""

from dynamic_vision.models.swin3d_t.model import ZOO
from dynamic_vision.testing.model_checks import layer_shapes

# Batch of 2; patches of 2 frames; patch merging shrinks space only.
EXPECTED_SHAPES = {
    "features.0.1.volume": (2, 96, 2, 8, 8),
    "features.2.1.volume": (2, 192, 2, 4, 4),
    "features.4.5.volume": (2, 384, 2, 2, 2),
    "features.6.1.volume": (2, 768, 2, 1, 1),
}


def test_layers_record_in_video_layout():
    spec, module = ZOO.build_module(pretrained=False, input_size=32, clip_length=4)
    assert (spec.identifier, spec.weights) == ("swin3d_t-random-input_size32-clip_length4", None)
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
