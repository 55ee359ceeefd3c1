"""AlexNet: AlexNet (Krizhevsky et al., 2012), torchvision's single-tower variant, trained on ImageNet-1k."""

from __future__ import annotations

from dynamic_vision.models.alexnet import SPEC
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("alexnet"),
)

build = ZOO.build
build_random = ZOO.build_random
