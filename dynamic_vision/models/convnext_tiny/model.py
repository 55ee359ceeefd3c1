"""ConvNeXt-T: ConvNeXt, tiny (Liu et al., 2022), trained on ImageNet-1k."""

from __future__ import annotations

from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture
from dynamic_vision.modeling.citations import LIU2022_CONVNEXT

# Image models see every frame on its own; 30 fps samples typical stimuli finely enough for
# time bins of tens of milliseconds.
SPEC = ModelSpec(
    identifier="convnext_tiny",
    kind="image",
    layers=(
        "features.1",
        "features.3",
        "features.5",
        "features.7",
        "avgpool",
    ),
    input_size=224,
    fps=30,
    weights="torchvision:ConvNeXt_Tiny_Weights.IMAGENET1K_V1",
    bibtex=LIU2022_CONVNEXT,
)

ZOO = ZooModel(
    SPEC,
    torchvision_architecture("convnext_tiny"),
)

build = ZOO.build
build_random = ZOO.build_random
