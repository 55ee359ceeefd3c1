"""SlowFast-R50 8x8: SlowFast network on ResNet-50 (Feichtenhofer et al., 2019), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.slowfast_r50 import SPEC
from dynamic_vision.modeling.libraries.pytorchvideo_models import slowfast_adapt, slowfast_architecture
from dynamic_vision.modeling.zoo import ZooModel

ZOO = ZooModel(
    SPEC,
    slowfast_architecture(50),
    adapt=slowfast_adapt([f"blocks.{i}" for i in range(1, 5)]),
)

build = ZOO.build
build_random = ZOO.build_random
