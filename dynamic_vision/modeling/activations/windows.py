"""How frames become model inputs, and how model outputs become time steps in milliseconds.

Conventions (see also :mod:`dynamic_vision.core.temporal` and docs/models.md)
---------------------------------------------------------------------------
Frames are sampled at the model's ``fps``; frame ``i`` is on screen during
``[1000 i / fps, 1000 (i + 1) / fps)`` ms. The **causal rule**: a time step may depend only on
frames whose onset is at or before the step's start, so a time bin never depends on a frame
shown after the bin ends.

- **Image models** see one frame per forward pass; output step ``i`` is frame ``i`` (causal by
  construction). A still image is one forward pass whose output is repeated over
  ``ceil(duration_ms * fps / 1000)`` steps (its presentation time).
- **Video models, causal windows** (``"causal"``, the default): the model is sampled every
  ``stride`` frames. The window that ends at frame ``e = 0, stride, 2 stride, ...`` holds frames
  ``e - clip_length + 1 ... e`` (the first frame repeated before the clip starts). Only the
  **last** time step of a layer's output is kept (whatever the layer's temporal stride or
  tubelet size, it is the step that contains frame ``e``), and it is placed at
  ``[1000 e / fps, 1000 (e + stride) / fps)``: it appears when frame ``e`` appears and holds
  until the next sample. ``stride = 1`` gives one step per frame at ``clip_length`` times the
  cost of block windows; the default (:func:`default_stride`: half a clip or half a second,
  whichever is shorter) costs about twice as much as block windows for models whose clip
  lasts about a second, and ``clip_length / stride`` times as much in general.
- **Video models, block windows** (``"block"``, non-causal, kept by name): consecutive,
  non-overlapping windows of ``clip_length`` frames; the last window is completed by repeating
  the last frame. A layer whose output has ``T'`` time steps per window gives steps that each
  cover ``clip_length / T'`` frames; steps that start on padding are dropped. Every step sees
  the frames up to the end of its window, i.e. up to ``clip_length - 1`` frames of its future.
- A still image shown to a video model is a static clip of ``clip_length`` copies of the image
  (one forward pass). Causal windows broadcast its last step over the presentation time; block
  windows keep the static clip's steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["WINDOW_MODES", "DEFAULT_WINDOW", "WindowRule", "block_windows", "causal_windows",
           "default_stride", "kept_block_steps", "static_image_steps", "step_duration_ms"]

#: ``"causal"`` is the default; ``"block"`` is the earlier, non-causal rule.
WINDOW_MODES = ("causal", "block")
DEFAULT_WINDOW = "causal"


def default_stride(clip_length: int, fps: float) -> int:
    """Frames between causal samples when none is given: half a clip or half a second,
    whichever is shorter (at least one frame).

    Half a clip bounds the cost to about twice that of block windows; half a second keeps
    models with long clips (32 frames, or 16 at 7.5 fps) from being sampled only at the first
    frame of a one-second stimulus.
    """
    half_second = math.floor(float(fps) / 2.0 + 0.5)
    return max(1, min(int(clip_length) // 2, half_second))


def block_windows(n_frames: int, clip_length: int) -> np.ndarray:
    """``(n_windows, clip_length)`` frame indices of consecutive windows, last frame repeated."""
    n_windows = max(1, math.ceil(n_frames / clip_length))
    index = np.arange(n_windows * clip_length).reshape(n_windows, clip_length)
    return np.minimum(index, n_frames - 1)


def causal_windows(n_frames: int, clip_length: int, stride: int = 1) -> np.ndarray:
    """``(ceil(n_frames / stride), clip_length)`` frame indices; window ``k`` ends at frame
    ``k * stride`` and the first frame stands in for frames before the clip."""
    ends = np.arange(0, max(1, n_frames), max(1, int(stride)))[:, None]
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


@dataclass(frozen=True)
class WindowRule:
    """How one model turns frames into inputs and outputs into time steps.

    Parameters
    ----------
    kind
        The spec's kind: ``"image"`` (frame by frame) or ``"video"``.
    mode
        ``"causal"`` or ``"block"`` (video models; image models are always frame by frame).
    clip_length
        Frames per window (video models).
    stride
        Frames between causal samples (video models, causal mode; default
        :func:`default_stride`).
    fps
        The model's frame rate.
    """

    kind: str
    mode: str
    clip_length: int
    stride: int
    fps: float

    @classmethod
    def for_spec(cls, spec: Any, window: str | None = None,
                 stride: int | None = None) -> WindowRule:
        """The rule of ``spec`` with ``window`` (default causal) and ``stride`` (default
        :func:`default_stride`); invalid values raise with the model named."""
        window = DEFAULT_WINDOW if window is None else window
        if window not in WINDOW_MODES:
            raise ValueError(f"window must be one of {WINDOW_MODES}, got {window!r} "
                             f"(model '{spec.identifier}').")
        if stride is None:
            stride = default_stride(spec.clip_length, spec.fps)
        elif int(stride) != stride or int(stride) < 1:
            raise ValueError(f"window_stride must be a positive number of frames, got "
                             f"{stride!r} (model '{spec.identifier}').")
        if spec.kind != "video":
            return cls("image", "frame", 1, 1, float(spec.fps))
        stride = int(stride) if window == "causal" else int(spec.clip_length)
        return cls("video", window, int(spec.clip_length), stride, float(spec.fps))

    def settings(self) -> dict[str, Any]:
        """What makes outputs differ (part of activation keys)."""
        if self.kind != "video":
            return {"mode": "frame"}
        if self.mode == "block":
            return {"mode": "block", "clip_length": self.clip_length}
        return {"mode": "causal", "clip_length": self.clip_length, "stride": self.stride}

    @property
    def causal(self) -> bool:
        return self.mode != "block"

    def unit_frames(self, n_frames: int, static: bool) -> np.ndarray:
        """``(n_units, frames per unit)`` frame indices of one stimulus's model inputs."""
        if self.kind != "video":
            return np.zeros((1, 1), np.int64) if static else np.arange(n_frames)[:, None]
        if static:
            return np.zeros((1, self.clip_length), dtype=np.int64)
        if self.mode == "block":
            return block_windows(n_frames, self.clip_length)
        return causal_windows(n_frames, self.clip_length, self.stride)

    def stored_steps(self, n_frames: int, static: bool, steps_per_unit: int) -> int:
        """Steps kept on disk for one stimulus (a broadcast still keeps one)."""
        if self.kind != "video":
            return 1 if static else n_frames
        if self.mode == "block":
            return steps_per_unit if static else kept_block_steps(n_frames, self.clip_length,
                                                                  steps_per_unit)
        return 1 if static else len(range(0, max(1, n_frames), self.stride))

    def broadcasts(self, static: bool) -> bool:
        """True when a still image's one stored step is repeated over its presentation."""
        return static and (self.kind != "video" or self.mode != "block")

    def presented_steps(self, duration_ms: float) -> int:
        """Steps of a still image shown for ``duration_ms`` (broadcast rules only)."""
        frames = static_image_steps(duration_ms, self.fps)
        return frames if self.kind != "video" else math.ceil(frames / self.stride)

    def step_ms(self, steps_per_unit: int) -> float:
        """Milliseconds of one step of a layer giving ``steps_per_unit`` steps per input."""
        if self.kind != "video":
            return step_duration_ms(self.fps, 1)
        if self.mode == "block":
            return step_duration_ms(self.fps, self.clip_length / steps_per_unit)
        return step_duration_ms(self.fps, self.stride)
