"""ResNet-50: ResNet-50 (He et al., 2016), torchvision's improved ImageNet-1k recipe (V2 weights).

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import HE2016
from dynamic_vision.modeling.spec import ModelSpec, register_model

# Image models see every frame on its own; 30 fps samples typical stimuli finely enough for
# time bins of tens of milliseconds.
SPEC = ModelSpec(
    identifier="resnet50",
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
    weights="torchvision:ResNet50_Weights.IMAGENET1K_V2",
    bibtex=HE2016,
)

register_model(SPEC, "dynamic_vision.models.resnet50.model", check_options={"input_size": 32})
