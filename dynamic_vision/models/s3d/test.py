"""S3D at test size: the random twin's identity and the shape of every declared layer."""

from dynamic_vision.models.s3d.model import ZOO
from dynamic_vision.testing.model_checks import layer_shapes

# Batch of 2; the stem and mixed_4 pooling stride time.
EXPECTED_SHAPES = {
    "features.0": (2, 64, 8, 16, 16),
    "features.3": (2, 192, 8, 8, 8),
    "features.6": (2, 480, 8, 4, 4),
    "features.10": (2, 512, 4, 2, 2),
    "features.12": (2, 832, 4, 2, 2),
    "features.15": (2, 1024, 2, 1, 1),
}


def test_layers_record_in_video_layout():
    spec, module = ZOO.build_module(pretrained=False, input_size=32, clip_length=16)
    assert (spec.identifier, spec.weights) == ("s3d-random-input_size32", None)
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
