"""ConvNeXt-T at test size: the random twin's identity and the shape of every declared layer."""

import torch

from dynamic_vision.activations.hooks import LayerRecorder
from dynamic_vision.models.convnext_tiny.model import ZOO

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
    assert spec.identifier == "convnext_tiny-random-input_size32"
    assert spec.weights is None
    calls = []

    def record(layer, output):
        calls.append((layer, tuple(output.shape)))

    with torch.no_grad(), LayerRecorder(module, spec.layers, record):
        module(torch.rand(2, 3, 32, 32))
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
