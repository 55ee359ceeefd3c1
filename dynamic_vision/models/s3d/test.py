"""S3D at test size: the random twin's identity and the shape of every declared layer."""

import torch

from dynamic_vision.activations.hooks import LayerRecorder
from dynamic_vision.models.s3d.model import ZOO

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
    assert spec.identifier == "s3d-random-input_size32"
    assert spec.weights is None
    calls = []

    def record(layer, output):
        calls.append((layer, tuple(output.shape)))

    with torch.no_grad(), LayerRecorder(module, spec.layers, record):
        module(torch.rand(2, 3, 16, 32, 32))
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES

