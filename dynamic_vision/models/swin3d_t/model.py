"""Video Swin-T: Video Swin Transformer, tiny (Liu et al., 2022), trained on Kinetics-400."""

from __future__ import annotations

from dynamic_vision.modeling.spec import ModelSpec
from dynamic_vision.modeling.zoo import ZooModel, channels_last_taps, torchvision_architecture
from dynamic_vision.modeling.citations import LIU2022_SWIN

# torchvision evaluates Video Swin on 32-frame clips at 15 fps. Layers are the last block of each
# of the four stages.
SPEC = ModelSpec(
    identifier="swin3d_t",
    kind="video",
    layers=(
        "features.0.1.volume",
        "features.2.1.volume",
        "features.4.5.volume",
        "features.6.1.volume",
    ),
    input_size=224,
    fps=15,
    clip_length=32,
    weights="torchvision:Swin3D_T_Weights.KINETICS400_V1",
    bibtex=LIU2022_SWIN,
)

ZOO = ZooModel(
    SPEC,
    torchvision_architecture("swin3d_t"),
    adapt=channels_last_taps([layer.removesuffix(".volume") for layer in SPEC.layers]),
)

build = ZOO.build
build_random = ZOO.build_random
