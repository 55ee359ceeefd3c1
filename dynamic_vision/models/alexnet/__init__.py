"""AlexNet and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import KRIZHEVSKY2012

register_zoo_model(
    "alexnet", "dynamic_vision.models.alexnet.model",
    weights="torchvision:AlexNet_Weights.IMAGENET1K_V1",
    kind="image", fps=30, clip_length=1, input_size=224,
    n_layers=7, bibtex=KRIZHEVSKY2012, version=1,
    check_options={"input_size": 64},
)
