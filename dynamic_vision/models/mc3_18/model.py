"""MC3-18: 18-layer ResNet with 3-D convolutions in early layers and 2-D ones later (Tran et al., 2018), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.mc3_18 import SPEC
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("mc3_18"),
)

build = ZOO.build
build_random = ZOO.build_random
