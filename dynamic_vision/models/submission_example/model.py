"""A Brain-Score style base-model module: two tiny convolutional networks.

Written the way a sample-model-submission ``base_models.py`` is: the four functions below are
the whole interface. ``get_model_spec`` is this library's optional addition; here it asks for
32-pixel inputs, which is all these networks need.
"""

from __future__ import annotations

import torch
from torch import nn

_WIDTHS = {"example_cnn": 8, "example_cnn_wide": 16}


class TinyCNN(nn.Module):
    """Two convolution blocks and a global pooling, ``width`` channels wide."""

    def __init__(self, width: int):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, width, 5, stride=2, padding=2), nn.ReLU())
        self.conv2 = nn.Sequential(nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(8 * width, 10)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.conv2(self.conv1(images))), 1))


def get_model_list() -> list[str]:
    """The names of the models this module provides."""
    return list(_WIDTHS)


def get_model(name: str) -> nn.Module:
    """The network called ``name``; its weights are a fixed-seed initialisation."""
    assert name in _WIDTHS, f"unknown model {name!r}"
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(2024)
    try:
        return TinyCNN(_WIDTHS[name]).eval()
    finally:
        torch.random.set_rng_state(generator_state)


def get_layers(name: str) -> list[str]:
    """Layers to record, in network order."""
    assert name in _WIDTHS, f"unknown model {name!r}"
    return ["conv1", "conv2", "pool"]


def get_bibtex(name: str) -> str:
    """How to cite the model."""
    return """@misc{dynamic_vision_example_cnn,
  title={A tiny convolutional network used as a submission example},
  author={dynamic-vision contributors},
  year={2026}
}"""


def get_model_spec(name: str) -> dict:
    """Spec fields Brain-Score leaves implicit: a frame-wise model on 32-pixel inputs."""
    return {"kind": "image", "input_size": 32, "fps": 12.0}
