"""ViViT-B 16x2: Video Vision Transformer, base, tubelets of 2 x 16 x 16 (Arnab et al., 2021), trained on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import ARNAB2021
from dynamic_vision.modeling.spec import ModelSpec, register_model

# 32 frames at a stride of 2 of 30 fps Kinetics video (15 fps), 224 px; tubelets of 2 x 16 x 16, so
# every step covers 2 frames. The preprocessor maps pixels to (x / 127.5 - 1 - 0.5) / 0.5, which is
# mean 0.75 and std 0.25 in [0, 1] units.
SPEC = ModelSpec(
    identifier="vivit_b_16x2_k400",
    kind="video",
    layers=(
        "layers.2.volume",
        "layers.5.volume",
        "layers.8.volume",
        "layers.11.volume",
        "layernorm.volume",
    ),
    input_size=224,
    fps=15,
    clip_length=32,
    mean=(0.75, 0.75, 0.75),
    std=(0.25, 0.25, 0.25),
    weights="transformers:google/vivit-b-16x2-kinetics400",
    bibtex=ARNAB2021,
)

#: Test size: the same depth with narrow blocks (random weights only).
CHECK_OPTIONS = {"config": dict(hidden_size=32, intermediate_size=64, num_attention_heads=2),
                 "input_size": 32, "clip_length": 4}

register_model(SPEC, "dynamic_vision.models.vivit_b_16x2_k400.model", check_options=CHECK_OPTIONS,
               requires={"transformers": "dynamic-vision[transformers]"})
