"""ResNet-50: ResNet-50 (He et al., 2016), torchvision's improved ImageNet-1k recipe (V2 weights)."""

from __future__ import annotations

from dynamic_vision.models.resnet50 import SPEC
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("resnet50"),
)

build = ZOO.build
build_random = ZOO.build_random
