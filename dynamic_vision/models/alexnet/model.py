"""AlexNet: AlexNet (Krizhevsky et al., 2012), torchvision's single-tower variant, trained on ImageNet-1k."""

from __future__ import annotations

from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel, torchvision_architecture
from dynamic_vision.modeling.citations import KRIZHEVSKY2012

# Image models see every frame on its own; 30 fps samples typical stimuli finely enough for
# time bins of tens of milliseconds.
SPEC = ModelSpec(
    identifier="alexnet",
    kind="image",
    layers=(
        "features.2",
        "features.5",
        "features.7",
        "features.9",
        "features.12",
        "classifier.2",
        "classifier.5",
    ),
    input_size=224,
    fps=30,
    weights="torchvision:AlexNet_Weights.IMAGENET1K_V1",
    bibtex=KRIZHEVSKY2012,
)

ZOO = ZooModel(
    SPEC,
    torchvision_architecture("alexnet"),
)

build = ZOO.build
build_random = ZOO.build_random
