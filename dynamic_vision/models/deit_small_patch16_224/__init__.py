"""DeiT-S and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import TOUVRON2021

register_zoo_model(
    "deit_small_patch16_224", "dynamic_vision.models.deit_small_patch16_224.model",
    weights="timm:deit_small_patch16_224.fb_in1k",
    kind="image", fps=30, clip_length=1, input_size=224,
    n_layers=5, bibtex=TOUVRON2021, version=1,
    check_options={"input_size": 32},
)
