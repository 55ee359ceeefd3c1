"""x3d_s at test size: the random twin's identity and the shape of every declared layer."""

import pytest

pytest.importorskip("pytorchvideo")

from dynamic_vision.models.x3d_s.model import ZOO  # noqa: E402
from dynamic_vision.testing.model_checks import random_twin_layer_shapes  # noqa: E402

# Batch of 2, 4 frames of 32 px: stages halve space, never time; the head pools everything.
EXPECTED_SHAPES = {
    "blocks.0": (2, 24, 4, 16, 16),
    "blocks.1": (2, 24, 4, 8, 8),
    "blocks.2": (2, 48, 4, 4, 4),
    "blocks.3": (2, 96, 4, 2, 2),
    "blocks.4": (2, 192, 4, 1, 1),
    "blocks.5.pool": (2, 2048, 1, 1, 1),
}


def test_layers_record_in_video_layout():
    spec, shapes = random_twin_layer_shapes(ZOO, input_size=32, clip_length=4)
    assert spec.identifier.startswith("x3d_s-random-input_size32")
    assert shapes == EXPECTED_SHAPES


def test_published_weights_are_pytorchvideos_checkpoint():
    assert ZOO.spec.weights.startswith("https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo/")
