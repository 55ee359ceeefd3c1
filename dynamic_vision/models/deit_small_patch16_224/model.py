"""DeiT-S: Data-efficient image Transformer, small, patch 16 (Touvron et al., 2021), timm's ImageNet-1k weights."""

from __future__ import annotations

from dynamic_vision.models.deit_small_patch16_224 import SPEC
from dynamic_vision.modeling.zoo import ZooModel, timm_architecture


ZOO = ZooModel(
    SPEC,
    timm_architecture("deit_small_patch16_224", fixed_input_size=True),
    fixed_geometry=True,
)

build = ZOO.build
build_random = ZOO.build_random
