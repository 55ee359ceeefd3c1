"""ConvNeXt-T: ConvNeXt, tiny (Liu et al., 2022), trained on ImageNet-1k."""

from __future__ import annotations

from dynamic_vision.models.convnext_tiny import SPEC
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("convnext_tiny"),
)

build = ZOO.build
build_random = ZOO.build_random
