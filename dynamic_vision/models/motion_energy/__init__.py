"""motion-energy: the spatiotemporal Gabor motion-energy bank (Adelson & Bergen 1985).

The declaration (``SPEC``) and its registration; ``model.py`` builds the model from the same
spec. The same filter bank simulates the SimMotion recordings, so this model is the benchmark's
ground truth front end (see dynamic_vision/data/simmotion/README.md).
"""

from dynamic_vision.modeling.citations import ADELSON1985
from dynamic_vision.modeling.spec import ModelSpec, register_model

# The 128-pixel input is taken to span 8 degrees, so the bank's 0.04-0.16 cycles/pixel are
# 0.64-2.56 cycles/degree, the range of parafoveal V1 cells' preferred spatial frequencies.
SPEC = ModelSpec(
    identifier="motion-energy",
    kind="features",
    layers=("energy",),
    input_size=128,
    fps=30,
    visual_degrees=8.0,
    bibtex=ADELSON1985,
    description="Spatiotemporal Gabor motion-energy amplitudes: 8 directions x 3 spatial x 2 "
                "temporal frequencies x 3x3 positions (432 units); the front end of the "
                "simulated SimMotion data (no weights).",
)

register_model(SPEC, "dynamic_vision.models.motion_energy.model:build")
