"""MViT-v1-B: Multiscale Vision Transformer, base, 16x4 (Fan et al., 2021), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel, token_taps, torchvision_architecture
from dynamic_vision.modeling.citations import FAN2021

# 16 frames sampled every 4th frame of 30 fps video (7.5 fps); positional embeddings fix the geometry.
SPEC = ModelSpec(
    identifier="mvit_v1_b",
    kind="video",
    layers=(
        "blocks.0.volume",
        "blocks.2.volume",
        "blocks.4.volume",
        "blocks.8.volume",
        "blocks.13.volume",
        "blocks.15.volume",
    ),
    input_size=224,
    fps=7.5,
    clip_length=16,
    mean=(0.45, 0.45, 0.45),
    std=(0.225, 0.225, 0.225),
    weights="torchvision:MViT_V1_B_Weights.KINETICS400_V1",
    bibtex=FAN2021,
)

ZOO = ZooModel(
    SPEC,
    torchvision_architecture("mvit_v1_b", geometry=True),
    adapt=token_taps([layer.removesuffix(".volume") for layer in SPEC.layers]),
    fixed_geometry=True,
)

build = ZOO.build
build_random = ZOO.build_random
