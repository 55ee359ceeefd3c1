"""The model inputs of a chunk of stimuli, and how their outputs become time steps.

A :class:`ChunkPlan` lists the *units* (one frame for image models, one window of frames for
video models) of every stimulus in a chunk, builds normalised batches of them, and spreads the
per-unit outputs back over stimuli as time steps, following the conventions of
:mod:`dynamic_vision.modeling.activations.windows`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import torch

from dynamic_vision.modeling.activations import windows
from dynamic_vision.modeling.activations.dataset import StimulusRecord, preprocess_frames
from dynamic_vision.modeling.activations.store import LayerChunk
from dynamic_vision.modeling.spec import ModelSpec

__all__ = ["ChunkPlan", "as_steps", "time_axis_of"]


class ChunkPlan:
    """Model inputs (units) of one chunk of stimuli and how their outputs become steps."""

    def __init__(self, spec: ModelSpec, window: str,
                 items: Sequence[tuple[StimulusRecord, torch.Tensor]]):
        self.spec, self.window = spec, window
        self.records = [record for record, _ in items]
        self.static = [record.is_image for record in self.records]
        self.n_frames = [int(frames.shape[0]) for _, frames in items]
        # All frames of the chunk in one tensor, so that a batch is a single gather.
        self.flat = torch.cat([frames for _, frames in items]) if len(items) > 1 else items[0][1]
        offsets = np.concatenate([[0], np.cumsum(self.n_frames)[:-1]])
        owners, unit_frames = [], []
        length = spec.clip_length
        for position, (static, n_frames) in enumerate(zip(self.static, self.n_frames)):
            if spec.kind == "image":
                indices = np.zeros((1, 1), np.int64) if static else np.arange(n_frames)[:, None]
            elif static:
                indices = np.zeros((1, length), dtype=np.int64)
            elif window == "block":
                indices = windows.block_windows(n_frames, length)
            else:
                indices = windows.causal_windows(n_frames, length)
            owners.append(np.full(len(indices), position))
            unit_frames.append(indices + offsets[position])
        #: Stimulus position of every unit, and its ``(n_units, frames per unit)`` frame indices.
        self.owners = np.concatenate(owners)
        self.unit_frames = torch.from_numpy(np.concatenate(unit_frames).astype(np.int64))

    @property
    def n_units(self) -> int:
        return len(self.owners)

    def batches(self, batch_size: int) -> Iterator[tuple[int, int]]:
        for start in range(0, self.n_units, batch_size):
            yield start, min(start + batch_size, self.n_units)

    def inputs(self, start: int, stop: int, device: torch.device) -> torch.Tensor:
        """Normalised model input for units ``start:stop``: (B,3,S,S) or (B,3,L,S,S)."""
        frames = self.flat[self.unit_frames[start:stop]]
        if device.type == "cuda":  # page-locked, so the host-to-device copy runs asynchronously
            frames = frames.pin_memory()
        batch = preprocess_frames(frames, self.spec.mean, self.spec.std, device)
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
        n_stimuli = len(self.records)
        counts = [self.n_steps(i, steps_per_unit) for i in range(n_stimuli)]
        values = np.full((n_stimuli, max(counts), unit_values.shape[2]), np.nan, np.float32)
        owners = self.owners
        for position in range(n_stimuli):
            steps = unit_values[owners == position].reshape(-1, unit_values.shape[2])
            if steps.shape[0] < counts[position]:  # one pass of a still image, broadcast
                steps = np.broadcast_to(steps[-1:], (counts[position], steps.shape[1]))
            values[position, :counts[position]] = steps[:counts[position]]
        return LayerChunk(values, np.asarray(counts), self.step_ms(steps_per_unit))


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
