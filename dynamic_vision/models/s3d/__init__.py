"""S3D: Separable 3-D Inception network (Xie et al., 2018), trained on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import XIE2018
from dynamic_vision.modeling.spec import KINETICS_MEAN, KINETICS_STD, ModelSpec, register_model

# torchvision evaluates S3D on 128-frame clips at 15 fps; 16 frames (above its minimum of 14) keep
# two output steps per window at a tractable cost.
SPEC = ModelSpec(
    identifier="s3d",
    kind="video",
    layers=(
        "features.0",
        "features.3",
        "features.6",
        "features.10",
        "features.12",
        "features.15",
    ),
    input_size=224,
    fps=15,
    clip_length=16,
    mean=KINETICS_MEAN,
    std=KINETICS_STD,
    weights="torchvision:S3D_Weights.KINETICS400_V1",
    bibtex=XIE2018,
)

register_model(SPEC, "dynamic_vision.models.s3d.model", check_options={"input_size": 32, "clip_length": 16})
