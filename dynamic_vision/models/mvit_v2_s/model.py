"""MViT-v2-S: Improved Multiscale Vision Transformer, small, 16x4 (Li et al., 2022), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.mvit_v2_s import SPEC
from dynamic_vision.modeling.zoo import ZooModel, token_taps, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("mvit_v2_s", geometry=True),
    adapt=token_taps([layer.removesuffix(".volume") for layer in SPEC.layers]),
    fixed_geometry=True,
)

build = ZOO.build
build_random = ZOO.build_random
