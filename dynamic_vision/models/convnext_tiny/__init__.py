"""ConvNeXt-T and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import LIU2022_CONVNEXT

register_zoo_model(
    "convnext_tiny", "dynamic_vision.models.convnext_tiny.model",
    weights="torchvision:ConvNeXt_Tiny_Weights.IMAGENET1K_V1",
    kind="image", fps=30, clip_length=1, input_size=224,
    n_layers=5, bibtex=LIU2022_CONVNEXT, version=1,
    check_options={"input_size": 32},
)
