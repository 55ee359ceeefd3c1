"""pixels: downsampled grayscale pixel intensities per frame, a control model.

Registration only.
"""

from dynamic_vision.core.registry import model_registry

model_registry.register(
    "pixels", "dynamic_vision.models.pixels.model:build",
    version=1, pretrained=False, weights=None, fps=30, input_size=128, visual_degrees=8.0,
    layers=["pixels"], n_features=256, kind="hand-crafted",
    description="Control: 16x16 block-averaged luminance contrast of each frame "
                "(no motion, no temporal filtering).",
)
