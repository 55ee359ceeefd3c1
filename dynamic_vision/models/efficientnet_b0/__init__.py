"""EfficientNet-B0: EfficientNet-B0 (Tan & Le, 2019), trained on ImageNet-1k.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import TAN2019
from dynamic_vision.modeling.spec import ModelSpec, register_model

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

register_model(SPEC, "dynamic_vision.models.efficientnet_b0.model", check_options={"input_size": 32})
