"""X3D-L: eXpanded 3D network, large (Feichtenhofer, 2020), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.x3d_l import SPEC
from dynamic_vision.modeling.libraries.pytorchvideo_models import x3d_architecture
from dynamic_vision.modeling.zoo import ZooModel

ZOO = ZooModel(
    SPEC,
    x3d_architecture(depth_factor=5.0),
)

build = ZOO.build
build_random = ZOO.build_random
