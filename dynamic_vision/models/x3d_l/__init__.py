"""X3D-L: eXpanded 3D network, large (Feichtenhofer, 2020), trained on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import FEICHTENHOFER2020
from dynamic_vision.modeling.spec import ModelSpec, register_model

# PyTorchVideo's Kinetics-400 recipe: 16 frames at a sampling rate of 5 of 30 fps video (6 fps),
# shorter side and centre crop 356; depth factor 5. No layer strides time: every step is one frame.
SPEC = ModelSpec(
    identifier="x3d_l",
    kind="video",
    layers=(
        "blocks.0",
        "blocks.1",
        "blocks.2",
        "blocks.3",
        "blocks.4",
        "blocks.5.pool",
    ),
    input_size=356,
    fps=6,
    clip_length=16,
    mean=(0.45, 0.45, 0.45),
    std=(0.225, 0.225, 0.225),
    weights="https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo/kinetics/X3D_L.pyth",
    bibtex=FEICHTENHOFER2020,
)

register_model(SPEC, "dynamic_vision.models.x3d_l.model",
               check_options={"input_size": 32, "clip_length": 4},
               requires={"pytorchvideo": "dynamic-vision[pytorchvideo]"})
