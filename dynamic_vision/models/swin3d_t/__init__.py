"""Video Swin-T: Video Swin Transformer, tiny (Liu et al., 2022), trained on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import LIU2022_SWIN
from dynamic_vision.modeling.spec import ModelSpec, register_model

# torchvision evaluates Video Swin on 32-frame clips at 15 fps. Layers are the last block of each
# of the four stages.
SPEC = ModelSpec(
    identifier="swin3d_t",
    kind="video",
    layers=(
        "features.0.1.volume",
        "features.2.1.volume",
        "features.4.5.volume",
        "features.6.1.volume",
    ),
    input_size=224,
    fps=15,
    clip_length=32,
    weights="torchvision:Swin3D_T_Weights.KINETICS400_V1",
    bibtex=LIU2022_SWIN,
)

register_model(SPEC, "dynamic_vision.models.swin3d_t.model", check_options={"input_size": 32, "clip_length": 4})
