"""S3D: Separable 3-D Inception network (Xie et al., 2018), trained on Kinetics-400."""

from __future__ import annotations

import torch

from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import KINETICS_MEAN, KINETICS_STD, ZooModel
from dynamic_vision.modeling.citations import XIE2018

# torchvision evaluates S3D on 128-frame clips at 15 fps; 16 frames (above its minimum of 14) keep
# two output steps per window at a tractable cost.
SPEC = ModelSpec(
    identifier="s3d",
    kind="video",
    layers=(
        "features.0",
        "features.3",
        "features.6",
        "features.10",
        "features.12",
        "features.15",
    ),
    input_size=224,
    fps=15,
    clip_length=16,
    mean=KINETICS_MEAN,
    std=KINETICS_STD,
    weights="torchvision:S3D_Weights.KINETICS400_V1",
    bibtex=XIE2018,
)


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
