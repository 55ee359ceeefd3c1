"""EfficientNet-B0: EfficientNet-B0 (Tan & Le, 2019), trained on ImageNet-1k."""

from __future__ import annotations

from dynamic_vision.models.efficientnet_b0 import SPEC
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("efficientnet_b0"),
)

build = ZOO.build
build_random = ZOO.build_random
