"""S3D and its random twin: registration only (see model.py)."""

from dynamic_vision.modeling.zoo import register_zoo_model
from dynamic_vision.modeling.citations import XIE2018

register_zoo_model(
    "s3d", "dynamic_vision.models.s3d.model",
    weights="torchvision:S3D_Weights.KINETICS400_V1",
    kind="video", fps=15, clip_length=16, input_size=224,
    n_layers=6, bibtex=XIE2018, version=1,
    check_options={"input_size": 32, "clip_length": 16},
)
