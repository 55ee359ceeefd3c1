"""Video Swin-T and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import LIU2022_SWIN

register_zoo_model(
    "swin3d_t", "dynamic_vision.models.swin3d_t.model",
    weights="torchvision:Swin3D_T_Weights.KINETICS400_V1",
    kind="video", fps=15, clip_length=32, input_size=224,
    n_layers=4, bibtex=LIU2022_SWIN, version=1,
    check_options={"input_size": 32, "clip_length": 4},
)
