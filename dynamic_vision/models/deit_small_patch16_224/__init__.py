"""DeiT-S: Data-efficient image Transformer, small, patch 16 (Touvron et al., 2021), timm's ImageNet-1k weights.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import TOUVRON2021
from dynamic_vision.modeling.spec import ModelSpec, register_model

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

register_model(SPEC, "dynamic_vision.models.deit_small_patch16_224.model", check_options={"input_size": 32})
