"""DINOv2 ViT-B/14: self-supervised vision transformer, base (Oquab et al., 2024), LVD-142M."""

from __future__ import annotations

from dynamic_vision.models.dinov2_vitb14 import SPEC
from dynamic_vision.modeling.libraries.timm_models import timm_zoo_model

#: timm's name of the architecture and pretrained tag.
TIMM_NAME = "vit_base_patch14_dinov2.lvd142m"

ZOO = timm_zoo_model(SPEC, TIMM_NAME)

build = ZOO.build
build_random = ZOO.build_random
