"""The model inputs of a chunk of stimuli, and how their outputs become time steps.

A :class:`ChunkPlan` lists the *units* (one frame for image models, one window of frames for
video models) of every stimulus in a chunk, builds normalised batches of them, and splits the
per-unit outputs back into each stimulus's time steps, following the
:class:`~dynamic_vision.modeling.activations.windows.WindowRule`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import torch

from dynamic_vision.modeling.activations.dataset import StimulusRecord, preprocess_frames
from dynamic_vision.modeling.activations.windows import WindowRule
from dynamic_vision.modeling.spec import ModelSpec

__all__ = ["ChunkPlan", "as_steps", "time_axis_of"]


class ChunkPlan:
    """Model inputs (units) of one chunk of stimuli and how their outputs become steps."""

    def __init__(self, spec: ModelSpec, rule: WindowRule,
                 items: Sequence[tuple[StimulusRecord, torch.Tensor]]):
        self.spec, self.rule = spec, rule
        self.records = [record for record, _ in items]
        self.static = [record.is_image for record in self.records]
        self.n_frames = [int(frames.shape[0]) for _, frames in items]
        # All frames of the chunk in one tensor, so that a batch is a single gather.
        self.flat = torch.cat([frames for _, frames in items]) if len(items) > 1 else items[0][1]
        offsets = np.concatenate([[0], np.cumsum(self.n_frames)[:-1]])
        owners, unit_frames = [], []
        for position, (static, n_frames) in enumerate(zip(self.static, self.n_frames)):
            indices = rule.unit_frames(n_frames, static)
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
        if device.type == "cuda":
            frames = frames.pin_memory()  # lets the host-to-device copy run asynchronously
        batch = preprocess_frames(frames, self.spec.mean, self.spec.std, device)
        if self.spec.kind != "video":
            return batch[:, 0]
        return batch.transpose(1, 2)  # (B, L, 3, S, S) → (B, 3, L, S, S), torchvision's layout

    def split(self, unit_values: np.ndarray) -> list[np.ndarray]:
        """Per stimulus, its stored ``(steps, k)`` rows from ``(n_units, steps_per_unit, k)``."""
        steps_per_unit, width = unit_values.shape[1], unit_values.shape[2]
        # Units of one stimulus are consecutive, in stimulus order.
        bounds = np.concatenate([[0], np.cumsum(np.bincount(self.owners,
                                                            minlength=len(self.records)))])
        out = []
        for position in range(len(self.records)):
            steps = unit_values[bounds[position]:bounds[position + 1]].reshape(-1, width)
            keep = self.rule.stored_steps(self.n_frames[position], self.static[position],
                                          steps_per_unit)
            out.append(np.ascontiguousarray(steps[:keep], dtype=np.float32))
        return out


def as_steps(output: torch.Tensor, spec: ModelSpec, rule: WindowRule,
             axis: int | None) -> torch.Tensor:
    """A layer's batch output as ``(B, steps, features)``; causal windows keep the last step."""
    batch = output.shape[0]
    if spec.kind != "video" or axis is None:
        return output.reshape(batch, 1, -1)
    if rule.causal:
        return output.select(axis, -1).reshape(batch, 1, -1)
    moved = output.movedim(axis, 1)
    return moved.reshape(batch, moved.shape[1], -1)


def time_axis_of(layer: str, output: torch.Tensor, overrides: Mapping[str, int | None]) -> int | None:
    """Time axis of a video layer's output: declared, else 2 for 5-d (B, C, T, H, W) outputs."""
    if layer in overrides:
        return overrides[layer]
    return 2 if output.ndim == 5 else None
