"""DINOv2 ViT-S/14: self-supervised vision transformer, small (Oquab et al., 2024), LVD-142M.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import OQUAB2024
from dynamic_vision.modeling.spec import IMAGENET_MEAN, IMAGENET_STD, ModelSpec, register_model

# timm's configuration of the tag: 518 px, ImageNet normalisation; applied frame by frame at 30 fps.
# Blocks at the quarters of the depth, then the final norm.
SPEC = ModelSpec(
    identifier="dinov2_vits14",
    kind="image",
    layers=(
        "blocks.2",
        "blocks.5",
        "blocks.8",
        "blocks.11",
        "norm",
    ),
    input_size=518,
    fps=30,
    mean=IMAGENET_MEAN,
    std=IMAGENET_STD,
    weights="timm:vit_small_patch14_dinov2.lvd142m",
    bibtex=OQUAB2024,
)

register_model(SPEC, "dynamic_vision.models.dinov2_vits14.model", check_options={"input_size": 28, "fps": 8})
