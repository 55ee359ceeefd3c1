"""X-CLIP-B/32: video vision tower of X-CLIP, base, 32 px patches (Ni et al., 2022), trained on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import NI2022
from dynamic_vision.modeling.spec import ModelSpec, register_model

# The vision tower (frame-wise CLIP ViT with cross-frame message tokens). 8 frames sampled sparsely
# over 10 s Kinetics clips (0.8 fps), 224 px, CLIP normalisation; every step is one frame.
SPEC = ModelSpec(
    identifier="xclip_base_patch32",
    kind="video",
    layers=(
        "encoder.layers.2.volume",
        "encoder.layers.5.volume",
        "encoder.layers.8.volume",
        "encoder.layers.11.volume",
        "post_layernorm.volume",
    ),
    input_size=224,
    fps=0.8,
    clip_length=8,
    mean=(0.48145466, 0.4578275, 0.40821073),
    std=(0.26862954, 0.26130258, 0.27577711),
    weights="transformers:microsoft/xclip-base-patch32",
    bibtex=NI2022,
)

#: Test size: the same depth with narrow blocks (random weights only), sampled fast enough that
#: the 1-second probe clips span several steps.
CHECK_OPTIONS = {"config": dict(hidden_size=32, intermediate_size=64, num_attention_heads=2, mit_hidden_size=32,
                 mit_intermediate_size=64, mit_num_attention_heads=2, patch_size=16),
                 "input_size": 32, "clip_length": 4, "fps": 8}

register_model(SPEC, "dynamic_vision.models.xclip_base_patch32.model", check_options=CHECK_OPTIONS,
               requires={"transformers": "dynamic-vision[transformers]"})
