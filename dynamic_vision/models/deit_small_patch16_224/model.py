"""DeiT-S: Data-efficient image Transformer, small, patch 16 (Touvron et al., 2021), timm's ImageNet-1k weights."""

from __future__ import annotations

from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel, timm_architecture
from dynamic_vision.modeling.citations import TOUVRON2021

# Image models see every frame on its own; 30 fps samples typical stimuli finely enough for
# time bins of tens of milliseconds.
SPEC = ModelSpec(
    identifier="deit_small_patch16_224",
    kind="image",
    layers=(
        "blocks.2",
        "blocks.5",
        "blocks.8",
        "blocks.11",
        "norm",
    ),
    input_size=224,
    fps=30,
    weights="timm:deit_small_patch16_224.fb_in1k",
    bibtex=TOUVRON2021,
)

ZOO = ZooModel(
    SPEC,
    timm_architecture("deit_small_patch16_224", fixed_input_size=True),
    fixed_geometry=True,
)

build = ZOO.build
build_random = ZOO.build_random
