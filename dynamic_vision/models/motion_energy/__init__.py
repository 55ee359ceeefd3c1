"""motion-energy: the spatiotemporal Gabor motion-energy bank (Adelson & Bergen 1985).

Registration only. The same filter bank simulates the SimMotion recordings, so this model is
the benchmark's ground truth front end (see dynamic_vision/data/simmotion/README.md).
"""

from dynamic_vision.core.registry import model_registry

model_registry.register(
    "motion-energy", "dynamic_vision.models.motion_energy.model:build",
    version=1, pretrained=False, weights=None, fps=30, input_size=128, visual_degrees=8.0,
    layers=["energy"], n_features=432, kind="hand-crafted",
    description="Spatiotemporal Gabor motion-energy amplitudes: 8 directions x 3 spatial x 2 "
                "temporal frequencies x 3x3 positions; the front end of the simulated "
                "SimMotion data (no weights).",
    citation="Adelson & Bergen (1985) J Opt Soc Am A 2:284",
)
