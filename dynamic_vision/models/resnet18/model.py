"""ResNet-18: ResNet-18 (He et al., 2016), trained on ImageNet-1k."""

from __future__ import annotations

from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture
from dynamic_vision.modeling.citations import HE2016

# Image models see every frame on its own; 30 fps samples typical stimuli finely enough for
# time bins of tens of milliseconds.
SPEC = ModelSpec(
    identifier="resnet18",
    kind="image",
    layers=(
        "layer1",
        "layer2",
        "layer3",
        "layer4",
        "avgpool",
    ),
    input_size=224,
    fps=30,
    weights="torchvision:ResNet18_Weights.IMAGENET1K_V1",
    bibtex=HE2016,
)

ZOO = ZooModel(
    SPEC,
    torchvision_architecture("resnet18"),
)

build = ZOO.build
build_random = ZOO.build_random
