"""R(2+1)D-18: 18-layer ResNet with (2+1)-D factorised convolutions (Tran et al., 2018), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.r2plus1d_18 import SPEC
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("r2plus1d_18"),
)

build = ZOO.build
build_random = ZOO.build_random
