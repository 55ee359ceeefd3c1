"""EfficientNet-B0: EfficientNet-B0 (Tan & Le, 2019), trained on ImageNet-1k."""

from __future__ import annotations

from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture
from dynamic_vision.modeling.citations import TAN2019

# Image models see every frame on its own; 30 fps samples typical stimuli finely enough for
# time bins of tens of milliseconds.
SPEC = ModelSpec(
    identifier="efficientnet_b0",
    kind="image",
    layers=(
        "features.2",
        "features.3",
        "features.4",
        "features.6",
        "features.8",
        "avgpool",
    ),
    input_size=224,
    fps=30,
    weights="torchvision:EfficientNet_B0_Weights.IMAGENET1K_V1",
    bibtex=TAN2019,
)

ZOO = ZooModel(
    SPEC,
    torchvision_architecture("efficientnet_b0"),
)

build = ZOO.build
build_random = ZOO.build_random
