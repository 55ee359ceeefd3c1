"""ConvNeXt-T: ConvNeXt, tiny (Liu et al., 2022), trained on ImageNet-1k.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import LIU2022_CONVNEXT
from dynamic_vision.modeling.spec import ModelSpec, register_model

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

register_model(SPEC, "dynamic_vision.models.convnext_tiny.model", check_options={"input_size": 32})
