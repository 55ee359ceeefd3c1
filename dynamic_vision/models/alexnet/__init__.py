"""AlexNet: AlexNet (Krizhevsky et al., 2012), torchvision's single-tower variant, trained on ImageNet-1k.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import KRIZHEVSKY2012
from dynamic_vision.modeling.spec import ModelSpec, register_model

# Image models see every frame on its own; 30 fps samples typical stimuli finely enough for
# time bins of tens of milliseconds.
SPEC = ModelSpec(
    identifier="alexnet",
    kind="image",
    layers=(
        "features.2",
        "features.5",
        "features.7",
        "features.9",
        "features.12",
        "classifier.2",
        "classifier.5",
    ),
    input_size=224,
    fps=30,
    weights="torchvision:AlexNet_Weights.IMAGENET1K_V1",
    bibtex=KRIZHEVSKY2012,
)

register_model(SPEC, "dynamic_vision.models.alexnet.model", check_options={"input_size": 64})
