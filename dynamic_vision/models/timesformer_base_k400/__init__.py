"""TimeSformer-B: divided space-time attention transformer, base (Bertasius et al., 2021), trained on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import BERTASIUS2021
from dynamic_vision.modeling.spec import ModelSpec, register_model

# The 8x32 recipe: 8 frames at a sampling rate of 32 of 30 fps Kinetics video (0.9375 fps), 224 px;
# frame-wise patches, so every step covers one frame.
SPEC = ModelSpec(
    identifier="timesformer_base_k400",
    kind="video",
    layers=(
        "encoder.layer.2.volume",
        "encoder.layer.5.volume",
        "encoder.layer.8.volume",
        "encoder.layer.11.volume",
        "layernorm.volume",
    ),
    input_size=224,
    fps=0.9375,
    clip_length=8,
    mean=(0.45, 0.45, 0.45),
    std=(0.225, 0.225, 0.225),
    weights="transformers:facebook/timesformer-base-finetuned-k400",
    bibtex=BERTASIUS2021,
)

#: Test size: the same depth with narrow blocks (random weights only), sampled fast enough that
#: the 1-second probe clips span several steps.
CHECK_OPTIONS = {"config": dict(hidden_size=32, intermediate_size=64, num_attention_heads=2),
                 "input_size": 32, "clip_length": 4, "fps": 8}

register_model(SPEC, "dynamic_vision.models.timesformer_base_k400.model", check_options=CHECK_OPTIONS,
               requires={"transformers": "dynamic-vision[transformers]"})
