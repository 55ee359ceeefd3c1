"""MViT-v2-S and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import LI2022

register_zoo_model(
    "mvit_v2_s", "dynamic_vision.models.mvit_v2_s.model",
    weights="torchvision:MViT_V2_S_Weights.KINETICS400_V1",
    kind="video", fps=7.5, clip_length=16, input_size=224,
    n_layers=6, bibtex=LI2022, version=1,
    check_options={"input_size": 32, "clip_length": 4},
)
