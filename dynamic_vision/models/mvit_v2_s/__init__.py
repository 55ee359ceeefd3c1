"""MViT-v2-S: Improved Multiscale Vision Transformer, small, 16x4 (Li et al., 2022), trained on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import LI2022
from dynamic_vision.modeling.spec import ModelSpec, register_model

# 16 frames sampled every 4th frame of 30 fps video (7.5 fps); relative positions fix the geometry.
SPEC = ModelSpec(
    identifier="mvit_v2_s",
    kind="video",
    layers=(
        "blocks.0.volume",
        "blocks.2.volume",
        "blocks.4.volume",
        "blocks.8.volume",
        "blocks.13.volume",
        "blocks.15.volume",
    ),
    input_size=224,
    fps=7.5,
    clip_length=16,
    mean=(0.45, 0.45, 0.45),
    std=(0.225, 0.225, 0.225),
    weights="torchvision:MViT_V2_S_Weights.KINETICS400_V1",
    bibtex=LI2022,
)

register_model(SPEC, "dynamic_vision.models.mvit_v2_s.model", check_options={"input_size": 32, "clip_length": 4})
