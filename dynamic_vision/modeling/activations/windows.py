"""How frames become model inputs, and how model outputs become time steps in milliseconds.

Conventions (see also :mod:`dynamic_vision.core.temporal`)
-----------------------------------------------------
Frames are sampled at the model's ``fps``; frame ``i`` is on screen during
``[1000 i / fps, 1000 (i + 1) / fps)`` ms.

- **Image models** see one frame per forward pass; output step ``i`` is frame ``i``. A still
  image is one forward pass whose output is repeated over ``ceil(duration_ms * fps / 1000)``
  steps (its presentation time).
- **Video models, block windows** (default): the clip is cut into consecutive, non-overlapping
  windows of ``clip_length`` frames; the last window is completed by repeating the last frame.
  A layer whose output has ``T'`` time steps per window gives steps that each cover
  ``clip_length / T'`` frames; steps that start after the clip's last frame (padding) are dropped.
  Layers without a time axis give one step per window.
- **Video models, causal windows**: one window per frame ``t`` holding frames
  ``t - clip_length + 1 … t`` (the first frame repeated before the clip starts); output step
  ``t`` is the last time step of the layer's output, so no step sees the future.
- A still image shown to a video model is a static clip of ``clip_length`` copies of the image
  (one forward pass), whose steps cover ``clip_length`` frames.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["WINDOW_MODES", "block_windows", "causal_windows", "kept_block_steps",
           "static_image_steps", "step_duration_ms"]

WINDOW_MODES = ("block", "causal")


def block_windows(n_frames: int, clip_length: int) -> np.ndarray:
    """``(n_windows, clip_length)`` frame indices of consecutive windows, last frame repeated."""
    n_windows = max(1, math.ceil(n_frames / clip_length))
    index = np.arange(n_windows * clip_length).reshape(n_windows, clip_length)
    return np.minimum(index, n_frames - 1)


def causal_windows(n_frames: int, clip_length: int) -> np.ndarray:
    """``(n_frames, clip_length)`` frame indices; window ``t`` ends at frame ``t``."""
    ends = np.arange(n_frames)[:, None]
    offsets = np.arange(-clip_length + 1, 1)[None, :]
    return np.maximum(ends + offsets, 0)


def kept_block_steps(n_frames: int, clip_length: int, steps_per_window: int) -> int:
    """Number of output steps of block windows that start on a real (not padded) frame."""
    n_windows = max(1, math.ceil(n_frames / clip_length))
    return min(n_windows * steps_per_window, math.ceil(n_frames * steps_per_window / clip_length))


def static_image_steps(duration_ms: float, fps: float) -> int:
    """Frames of a still image presented for ``duration_ms`` at ``fps`` (at least one)."""
    if not (math.isfinite(duration_ms) and duration_ms > 0):
        return 1
    # The small tolerance keeps 100 ms at 10 fps one frame, not two, despite rounding.
    return max(1, math.ceil(duration_ms * fps / 1000.0 - 1e-6))


def step_duration_ms(fps: float, frames_per_step: float) -> float:
    """Milliseconds covered by one output step spanning ``frames_per_step`` frames."""
    return 1000.0 * frames_per_step / fps
