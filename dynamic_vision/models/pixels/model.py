"""The ``pixels`` control model: downsampled grayscale pixel intensities per frame.

A baseline every brain-like model should beat: clips are decoded at 30 fps, resized to
``size`` x ``size`` pixels, converted to luminance contrast and block-averaged to ``grid`` x
``grid`` (16 x 16 = 256 features by default). Frame ``i`` covers ``[1000 i / fps,
1000 (i + 1) / fps)`` ms; there is no latency and no temporal filtering.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dynamic_vision.modeling.feature_model import FeatureModel
from dynamic_vision.modeling.motion_energy import to_contrast
from dynamic_vision.core.temporal import frame_intervals
from dynamic_vision.models.pixels import SPEC

__all__ = ["PixelsModel", "build"]


class PixelsModel(FeatureModel):
    """Block-averaged luminance contrast (one layer, ``"pixels"``).

    Parameters
    ----------
    grid
        Features per side (``grid**2`` in all).
    size
        Frames are resized to this side first; must be a multiple of ``grid``.
    fps
        Frame rate the clips are decoded at.
    """

    def __init__(self, grid: int = 16, size: int = SPEC.input_size, fps: float = SPEC.fps, *,
                 identifier: str = SPEC.identifier, progress: bool = True):
        if grid < 1 or size % grid:
            raise ValueError(f"size ({size}) must be a positive multiple of grid ({grid}).")
        self.grid = int(grid)
        super().__init__(identifier, SPEC.layers[0], fps=fps, size=size,
                         degrees=SPEC.visual_degrees, progress=progress)

    def features(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        contrast = to_contrast(frames)
        block = self.size // self.grid
        pooled = contrast.reshape(len(contrast), self.grid, block, self.grid, block).mean(
            axis=(2, 4))
        starts, ends = frame_intervals(len(contrast), self.fps)
        return pooled.reshape(len(contrast), -1), starts, ends

    def neuroids(self) -> pd.DataFrame:
        rows, cols = np.meshgrid(np.arange(self.grid), np.arange(self.grid), indexing="ij")
        return pd.DataFrame({"neuroid_id": [f"pixel_r{r:02d}_c{c:02d}"
                                            for r, c in zip(rows.ravel(), cols.ravel())],
                             "row": rows.ravel(), "column": cols.ravel()})


def build(pretrained: bool | None = None, **kwargs: Any) -> PixelsModel:
    """The ``pixels`` control model (``pretrained`` is ignored: the model has no weights)."""
    return PixelsModel(**kwargs)
