"""S3D: Separable 3-D Inception network (Xie et al., 2018), trained on Kinetics-400."""

from __future__ import annotations

import torch

from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.models.s3d import SPEC
from dynamic_vision.modeling.zoo import ZooModel


def _architecture(spec: ModelSpec) -> torch.nn.Module:
    """S3D; below 224 px its fixed 7x7 pooling does not fit, so test sizes pool adaptively."""
    from torchvision.models.video import s3d

    module = s3d(weights=None)
    if spec.input_size < SPEC.input_size:
        module.avgpool = torch.nn.AdaptiveAvgPool3d(1)
    return module


ZOO = ZooModel(
    SPEC,
    _architecture,
)

build = ZOO.build
build_random = ZOO.build_random
