"""R(2+1)D-18: 18-layer ResNet with (2+1)-D factorised convolutions (Tran et al., 2018), trained on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import TRAN2018
from dynamic_vision.modeling.spec import KINETICS_MEAN, KINETICS_STD, ModelSpec, register_model

# Kinetics clips of 16 frames at 15 fps, resized to 128x171 and centre-cropped to 112.
SPEC = ModelSpec(
    identifier="r2plus1d_18",
    kind="video",
    layers=(
        "stem",
        "layer1",
        "layer2",
        "layer3",
        "layer4",
        "avgpool",
    ),
    input_size=112,
    fps=15,
    clip_length=16,
    mean=KINETICS_MEAN,
    std=KINETICS_STD,
    weights="torchvision:R2Plus1D_18_Weights.KINETICS400_V1",
    bibtex=TRAN2018,
)

register_model(SPEC, "dynamic_vision.models.r2plus1d_18.model", check_options={"input_size": 32, "clip_length": 4})
