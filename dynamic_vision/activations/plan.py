"""The model inputs of a chunk of stimuli, and how their outputs become time steps.

A :class:`ChunkPlan` lists the *units* (one frame for image models, one window of frames for
video models) of every stimulus in a chunk, builds normalised batches of them, and spreads the
per-unit outputs back over stimuli as time steps, following the conventions of
:mod:`dynamic_vision.activations.windows`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import torch

from dynamic_vision.activations import windows
from dynamic_vision.activations.dataset import StimulusRecord, preprocess_frames
from dynamic_vision.activations.store import LayerChunk
from dynamic_vision.model_spec import ModelSpec

__all__ = ["ChunkPlan", "as_steps", "time_axis_of"]


class ChunkPlan:
    """Model inputs (units) of one chunk of stimuli and how their outputs become steps."""

    def __init__(self, spec: ModelSpec, window: str,
                 items: Sequence[tuple[StimulusRecord, torch.Tensor]]):
        self.spec, self.window = spec, window
        self.frames = [frames for _, frames in items]
        self.units: list[tuple[int, np.ndarray]] = []  # (stimulus position, frame indices)
        self.static: list[bool] = []
        self.n_frames: list[int] = []
        self.records = [record for record, _ in items]
        for position, (record, frames) in enumerate(items):
            static = record.is_image
            self.static.append(static)
            self.n_frames.append(int(frames.shape[0]))
            length = spec.clip_length
            if spec.kind == "image":
                indices = [np.array([0])] if static else [np.array([i]) for i in range(len(frames))]
            elif static:
                indices = [np.zeros(length, dtype=np.int64)]
            elif window == "block":
                indices = list(windows.block_windows(len(frames), length))
            else:
                indices = list(windows.causal_windows(len(frames), length))
            self.units.extend((position, index) for index in indices)

    def batches(self, batch_size: int) -> Iterator[tuple[int, int]]:
        for start in range(0, len(self.units), batch_size):
            yield start, min(start + batch_size, len(self.units))

    def inputs(self, start: int, stop: int, device: torch.device) -> torch.Tensor:
        """Normalised model input for units ``start:stop``: (B,3,S,S) or (B,3,L,S,S)."""
        gathered = torch.stack([self.frames[pos][torch.from_numpy(index)]
                                for pos, index in self.units[start:stop]])
        batch = preprocess_frames(gathered, self.spec.mean, self.spec.std, device)
        if self.spec.kind == "image":
            return batch[:, 0]
        return batch.transpose(1, 2)  # (B, L, 3, S, S) → (B, 3, L, S, S), torchvision's layout

    def n_steps(self, position: int, steps_per_unit: int) -> int:
        """Valid output steps of the stimulus at ``position``."""
        spec = self.spec
        if spec.kind == "image":
            if self.static[position]:
                return windows.static_image_steps(self.records[position].duration_ms, spec.fps)
            return self.n_frames[position]
        if self.static[position]:
            return steps_per_unit if self.window == "block" else \
                windows.static_image_steps(self.records[position].duration_ms, spec.fps)
        if self.window == "block":
            return windows.kept_block_steps(self.n_frames[position], spec.clip_length,
                                            steps_per_unit)
        return self.n_frames[position]

    def step_ms(self, steps_per_unit: int) -> float:
        if self.spec.kind == "video" and self.window == "block":
            return windows.step_duration_ms(self.spec.fps, self.spec.clip_length / steps_per_unit)
        return windows.step_duration_ms(self.spec.fps, 1)

    def layer_chunk(self, unit_values: np.ndarray) -> LayerChunk:
        """Spread ``(n_units, steps_per_unit, k)`` outputs over stimuli as a :class:`LayerChunk`."""
        steps_per_unit = unit_values.shape[1]
        n_stimuli = len(self.frames)
        counts = [self.n_steps(i, steps_per_unit) for i in range(n_stimuli)]
        values = np.full((n_stimuli, max(counts), unit_values.shape[2]), np.nan, np.float32)
        owners = np.array([pos for pos, _ in self.units])
        for position in range(n_stimuli):
            steps = unit_values[owners == position].reshape(-1, unit_values.shape[2])
            if steps.shape[0] < counts[position]:  # one pass of a still image, broadcast
                steps = np.broadcast_to(steps[-1:], (counts[position], steps.shape[1]))
            values[position, :counts[position]] = steps[:counts[position]]
        return LayerChunk(values, np.asarray(counts), self.step_ms(steps_per_unit))


def _as_steps(output: torch.Tensor, spec: ModelSpec, window: str,
              axis: int | None) -> torch.Tensor:
    """A layer's batch output as ``(B, steps, features)``."""
    batch = output.shape[0]
    if spec.kind == "image" or axis is None:
        return output.reshape(batch, 1, -1)
    moved = output.movedim(axis, 1)
    steps = moved.reshape(batch, moved.shape[1], -1)
    return steps[:, -1:] if window == "causal" else steps


def _time_axis(layer: str, output: torch.Tensor, overrides: Mapping[str, int | None]) -> int | None:
    """Time axis of a video layer's output: declared, else 2 for 5-d (B, C, T, H, W) outputs."""
    if layer in overrides:
        return overrides[layer]
    return 2 if output.ndim == 5 else None


def as_steps(output: torch.Tensor, spec: ModelSpec, window: str,
              axis: int | None) -> torch.Tensor:
    """A layer's batch output as ``(B, steps, features)``."""
    batch = output.shape[0]
    if spec.kind == "image" or axis is None:
        return output.reshape(batch, 1, -1)
    moved = output.movedim(axis, 1)
    steps = moved.reshape(batch, moved.shape[1], -1)
    return steps[:, -1:] if window == "causal" else steps


def time_axis_of(layer: str, output: torch.Tensor, overrides: Mapping[str, int | None]) -> int | None:
    """Time axis of a video layer's output: declared, else 2 for 5-d (B, C, T, H, W) outputs."""
    if layer in overrides:
        return overrides[layer]
    return 2 if output.ndim == 5 else None
