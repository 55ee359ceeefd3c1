"""ResNet-18 and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import HE2016

register_zoo_model(
    "resnet18", "dynamic_vision.models.resnet18.model",
    weights="torchvision:ResNet18_Weights.IMAGENET1K_V1",
    kind="image", fps=30, clip_length=1, input_size=224,
    n_layers=5, bibtex=HE2016, version=1,
    check_options={"input_size": 32},
)
