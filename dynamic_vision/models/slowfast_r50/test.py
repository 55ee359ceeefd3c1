"""SlowFast-R50 at test size: both pathways recorded through taps, in network order."""

import pytest

pytest.importorskip("pytorchvideo")

from dynamic_vision.models.slowfast_r50.model import ZOO  # noqa: E402
from dynamic_vision.testing.model_checks import layer_shapes  # noqa: E402

# Batch of 2, 8 frames of 32 px: the slow pathway sees every 4th frame (2), the fast all 8.
EXPECTED_SHAPES = {
    "blocks.1.slow": (2, 320, 2, 8, 8), "blocks.1.fast": (2, 32, 8, 8, 8),
    "blocks.2.slow": (2, 640, 2, 4, 4), "blocks.2.fast": (2, 64, 8, 4, 4),
    "blocks.3.slow": (2, 1280, 2, 2, 2), "blocks.3.fast": (2, 128, 8, 2, 2),
    "blocks.4.slow": (2, 2048, 2, 1, 1), "blocks.4.fast": (2, 256, 8, 1, 1),
    "blocks.5": (2, 2304, 1, 1, 1),
}


def test_layers_record_both_pathways():
    spec, module = ZOO.build_module(pretrained=False, input_size=32, clip_length=8)
    assert spec.identifier == "slowfast_r50-random-input_size32-clip_length8"
    calls = layer_shapes(spec, module)
    assert [layer for layer, _ in calls] == list(spec.layers), "each layer once, in order"
    assert dict(calls) == EXPECTED_SHAPES
