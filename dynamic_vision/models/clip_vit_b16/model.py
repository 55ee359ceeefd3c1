"""CLIP ViT-B/16: image encoder of CLIP (Radford et al., 2021), contrastive language-image pretraining."""

from __future__ import annotations

from dynamic_vision.models.clip_vit_b16 import SPEC
from dynamic_vision.modeling.libraries.timm_models import timm_zoo_model

#: timm's name of the architecture and pretrained tag.
TIMM_NAME = "vit_base_patch16_clip_224.openai"

ZOO = timm_zoo_model(SPEC, TIMM_NAME)

build = ZOO.build
build_random = ZOO.build_random
