"""VideoMAE-B: Video Masked Autoencoder, base (Tong et al., 2022), self-supervised then fine-tuned on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import TONG2022
from dynamic_vision.modeling.spec import IMAGENET_MEAN, IMAGENET_STD, ModelSpec, register_model

# 16 frames at a temporal stride of 4 of 30 fps Kinetics video (7.5 fps), 224 px; tubelets of 2
# frames, so every step covers 2 frames. Blocks at the quarters of the depth.
SPEC = ModelSpec(
    identifier="videomae_base_k400",
    kind="video",
    layers=(
        "encoder.layer.2.volume",
        "encoder.layer.5.volume",
        "encoder.layer.8.volume",
        "encoder.layer.11.volume",
    ),
    input_size=224,
    fps=7.5,
    clip_length=16,
    mean=IMAGENET_MEAN,
    std=IMAGENET_STD,
    weights="transformers:MCG-NJU/videomae-base-finetuned-kinetics",
    bibtex=TONG2022,
)

#: Test size: the same depth with narrow blocks (random weights only).
CHECK_OPTIONS = {"config": dict(hidden_size=32, intermediate_size=64, num_attention_heads=2),
                 "input_size": 32, "clip_length": 4}

register_model(SPEC, "dynamic_vision.models.videomae_base_k400.model", check_options=CHECK_OPTIONS,
               requires={"transformers": "dynamic-vision[transformers]"})
