"""pixels: downsampled grayscale pixel intensities per frame, a control model.

The declaration (``SPEC``) and its registration; ``model.py`` builds the model from the same
spec.
"""

from dynamic_vision.modeling.spec import ModelSpec, register_model

# The same visual angle as ``motion-energy``, so both see stimuli at the same scale.
SPEC = ModelSpec(
    identifier="pixels",
    kind="features",
    layers=("pixels",),
    input_size=128,
    fps=30,
    visual_degrees=8.0,
    description="Control: 16x16 block-averaged luminance contrast of each frame (256 units; "
                "no motion, no temporal filtering).",
)

register_model(SPEC, "dynamic_vision.models.pixels.model:build")
