"""ResNet-18: ResNet-18 (He et al., 2016), trained on ImageNet-1k."""

from __future__ import annotations

from dynamic_vision.models.resnet18 import SPEC
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("resnet18"),
)

build = ZOO.build
build_random = ZOO.build_random
