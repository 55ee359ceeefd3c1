"""The ``motion-energy`` model: the spatiotemporal Gabor front end of the SimMotion simulation.

Its neuroids are every unit of :class:`~dynamic_vision.modeling.motion_energy.MotionEnergyBank` (by
default 8 directions x 3 spatial x 2 temporal frequencies x 3 x 3 positions = 432); each
feature is the unit's motion-energy amplitude (the square root of its energy, which grows in
proportion to contrast), computed from clips decoded at the bank's 30 fps and resized to its
128 x 128 pixels, and placed in time with the bank's latency before being averaged into time
bins. It has no weights, so
``pretrained`` is accepted and ignored.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dynamic_vision.modeling.feature_model import FeatureModel
from dynamic_vision.modeling.motion_energy import MotionEnergyBank, to_contrast
from dynamic_vision.models.motion_energy import SPEC

__all__ = ["MotionEnergyModel", "build"]


class MotionEnergyModel(FeatureModel):
    """Motion-energy amplitude of every unit of ``bank`` (one layer, ``"energy"``).

    Parameters
    ----------
    bank
        The filter bank; the default is the one SimMotion's recordings were simulated with, at
        the spec's frame rate and size.
    progress
        Show a progress bar on long looks.
    """

    def __init__(self, bank: MotionEnergyBank | None = None, *, identifier: str = SPEC.identifier,
                 progress: bool = True):
        self.bank = bank if bank is not None else MotionEnergyBank(size=SPEC.input_size,
                                                                   fps=SPEC.fps)
        super().__init__(identifier, SPEC.layers[0], fps=self.bank.fps, size=self.bank.size,
                         degrees=SPEC.visual_degrees, progress=progress)

    def features(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.bank.response_steps(self.bank.amplitudes(to_contrast(frames)))

    def neuroids(self) -> pd.DataFrame:
        table = self.bank.units()
        renamed = {c: f"preferred_{c}" for c in ("direction", "orientation",
                                                 "spatial_frequency", "temporal_frequency",
                                                 "speed")}
        return table.rename(columns={**renamed, "x": "rf_x", "y": "rf_y"})


def build(pretrained: bool | None = None, **kwargs: Any) -> MotionEnergyModel:
    """The ``motion-energy`` model (``pretrained`` is ignored: the model has no weights)."""
    return MotionEnergyModel(**kwargs)
