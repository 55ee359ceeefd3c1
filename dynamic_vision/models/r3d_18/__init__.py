"""R3D-18 and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import TRAN2018

register_zoo_model(
    "r3d_18", "dynamic_vision.models.r3d_18.model",
    weights="torchvision:R3D_18_Weights.KINETICS400_V1",
    kind="video", fps=15, clip_length=16, input_size=112,
    n_layers=6, bibtex=TRAN2018, version=1,
    check_options={"input_size": 32, "clip_length": 4},
)
