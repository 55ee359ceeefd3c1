"""V-JEPA 2 ViT-L: joint-embedding predictive video encoder, large (Assran et al., 2025), self-supervised.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import ASSRAN2025
from dynamic_vision.modeling.spec import IMAGENET_MEAN, IMAGENET_STD, ModelSpec, register_model

# The encoder (the predictor only serves training). 64-frame clips at 256 px, sampled at 4 fps as
# in pretraining; tubelets of 2 frames, so every step covers 2 frames. Rotary position embeddings
# fit any size, so the published weights load at test sizes too.
SPEC = ModelSpec(
    identifier="vjepa2_vitl_fpc64_256",
    kind="video",
    layers=(
        "layer.5.volume",
        "layer.11.volume",
        "layer.17.volume",
        "layer.23.volume",
        "layernorm.volume",
    ),
    input_size=256,
    fps=4,
    clip_length=64,
    mean=IMAGENET_MEAN,
    std=IMAGENET_STD,
    weights="transformers:facebook/vjepa2-vitl-fpc64-256",
    bibtex=ASSRAN2025,
)

#: Test size: the same depth with narrow blocks (random weights only).
CHECK_OPTIONS = {"config": dict(hidden_size=32, num_attention_heads=2, mlp_ratio=2.0, pred_hidden_size=32,
                 pred_num_attention_heads=2, pred_num_hidden_layers=1, pred_mlp_ratio=2.0),
                 "input_size": 32, "clip_length": 4}

register_model(SPEC, "dynamic_vision.models.vjepa2_vitl_fpc64_256.model", check_options=CHECK_OPTIONS,
               requires={"transformers": "dynamic-vision[transformers]"})
