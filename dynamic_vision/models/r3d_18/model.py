"""R3D-18: 18-layer 3-D ResNet (Tran et al., 2018), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.r3d_18 import SPEC
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("r3d_18"),
)

build = ZOO.build
build_random = ZOO.build_random
