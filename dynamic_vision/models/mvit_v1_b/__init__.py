"""MViT-v1-B and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import FAN2021

register_zoo_model(
    "mvit_v1_b", "dynamic_vision.models.mvit_v1_b.model",
    weights="torchvision:MViT_V1_B_Weights.KINETICS400_V1",
    kind="video", fps=7.5, clip_length=16, input_size=224,
    n_layers=6, bibtex=FAN2021, version=1,
    check_options={"input_size": 32, "clip_length": 4},
)
