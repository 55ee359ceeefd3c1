"""CLIP ViT-B/16: image encoder of CLIP (Radford et al., 2021), contrastive language-image pretraining.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import RADFORD2021
from dynamic_vision.modeling.spec import ModelSpec, register_model

# timm's configuration of OpenAI's weights: 224 px, CLIP normalisation; applied frame by frame at
# 30 fps. Blocks at the quarters of the depth, then the final norm.
SPEC = ModelSpec(
    identifier="clip_vit_b16",
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
    mean=(0.48145466, 0.4578275, 0.40821073),
    std=(0.26862954, 0.26130258, 0.27577711),
    weights="timm:vit_base_patch16_clip_224.openai",
    bibtex=RADFORD2021,
)

register_model(SPEC, "dynamic_vision.models.clip_vit_b16.model", check_options={"input_size": 32, "fps": 8})
