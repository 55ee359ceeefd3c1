"""X3D-S: eXpanded 3D network, small (Feichtenhofer, 2020), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.x3d_s import SPEC
from dynamic_vision.modeling.libraries.pytorchvideo_models import x3d_architecture
from dynamic_vision.modeling.zoo import ZooModel

ZOO = ZooModel(
    SPEC,
    x3d_architecture(),
)

build = ZOO.build
build_random = ZOO.build_random
