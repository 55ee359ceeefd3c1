"""MViT-v1-B: Multiscale Vision Transformer, base, 16x4 (Fan et al., 2021), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.mvit_v1_b import SPEC
from dynamic_vision.modeling.zoo import ZooModel, token_taps, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("mvit_v1_b", geometry=True),
    adapt=token_taps([layer.removesuffix(".volume") for layer in SPEC.layers]),
    fixed_geometry=True,
)

build = ZOO.build
build_random = ZOO.build_random
