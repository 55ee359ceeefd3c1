"""SlowFast-R50 8x8: SlowFast network on ResNet-50 (Feichtenhofer et al., 2019), trained on Kinetics-400.

The declaration (``SPEC``) and its registration; ``model.py`` builds the network from the same
spec. Importing this folder imports no torch.
"""

from dynamic_vision.modeling.citations import FEICHTENHOFER2019
from dynamic_vision.modeling.spec import ModelSpec, register_model

# PyTorchVideo's 8x8 recipe: the fast pathway sees 32 frames at a sampling rate of 2 of 30 fps
# video (15 fps), the slow pathway every 4th of them; shorter side and centre crop 256.
SPEC = ModelSpec(
    identifier="slowfast_r50",
    kind="video",
    layers=(
        "blocks.1.slow",
        "blocks.1.fast",
        "blocks.2.slow",
        "blocks.2.fast",
        "blocks.3.slow",
        "blocks.3.fast",
        "blocks.4.slow",
        "blocks.4.fast",
        "blocks.5",
    ),
    input_size=256,
    fps=15,
    clip_length=32,
    mean=(0.45, 0.45, 0.45),
    std=(0.225, 0.225, 0.225),
    weights="https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo/kinetics/SLOWFAST_8x8_R50.pyth",
    bibtex=FEICHTENHOFER2019,
)

register_model(SPEC, "dynamic_vision.models.slowfast_r50.model",
               check_options={"input_size": 32, "clip_length": 8},
               requires={"pytorchvideo": "dynamic-vision[pytorchvideo]"})
