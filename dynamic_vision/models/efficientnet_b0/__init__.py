"""EfficientNet-B0 and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import TAN2019

register_zoo_model(
    "efficientnet_b0", "dynamic_vision.models.efficientnet_b0.model",
    weights="torchvision:EfficientNet_B0_Weights.IMAGENET1K_V1",
    kind="image", fps=30, clip_length=1, input_size=224,
    n_layers=6, bibtex=TAN2019, version=1,
    check_options={"input_size": 32},
)
