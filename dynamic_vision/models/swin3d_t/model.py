"""Video Swin-T: Video Swin Transformer, tiny (Liu et al., 2022), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.models.swin3d_t import SPEC
from dynamic_vision.modeling.zoo import ZooModel, channels_last_taps, torchvision_architecture


ZOO = ZooModel(
    SPEC,
    torchvision_architecture("swin3d_t"),
    adapt=channels_last_taps([layer.removesuffix(".volume") for layer in SPEC.layers]),
)

build = ZOO.build
build_random = ZOO.build_random
