"""Decoding stimuli for the model, inside ``torch.utils.data.DataLoader`` workers.

Each item is one stimulus, decoded once at the model's frame rate and brought to the model's
input geometry by :func:`dynamic_vision.io.video.read_frames` with ``resize="center_crop"``: the
frame is scaled (bilinear) so that its *shorter* side equals ``input_size`` and the centre
``input_size × input_size`` square is kept. Frames travel as uint8 (4× less inter-process traffic
than float); :func:`preprocess_frames` turns them into normalised, channel-first floats on the
model's device.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from dynamic_vision.io import video

__all__ = ["StimulusRecord", "StimulusFrames", "records_from", "preprocess_frames",
           "decode_stimulus"]


@dataclass(frozen=True)
class StimulusRecord:
    """What the decoder needs to know about one stimulus."""

    stimulus_id: str
    path: str
    is_image: bool
    duration_ms: float


def records_from(stimuli: Any) -> list[StimulusRecord]:
    """One :class:`StimulusRecord` per row of a StimulusSet (or any frame with its columns)."""
    missing = [column for column in ("stimulus_id", "path") if column not in stimuli.columns]
    if missing:
        raise ValueError(f"Stimulus set '{getattr(stimuli, 'identifier', '?')}' lacks the "
                         f"column(s) {missing}; build it with StimulusSet.from_files(...).")
    ids = [str(value) for value in stimuli["stimulus_id"]]
    if len(set(ids)) != len(ids):
        duplicated = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ValueError(f"Stimulus set '{getattr(stimuli, 'identifier', '?')}' repeats "
                         f"stimulus_id(s) {duplicated}; ids must be unique.")
    durations = (stimuli["duration_ms"] if "duration_ms" in stimuli.columns
                 else [math.nan] * len(ids))
    records = []
    for stimulus_id, path, duration in zip(ids, stimuli["path"], durations):
        records.append(StimulusRecord(stimulus_id, str(path), video.is_image_path(path),
                                      float(duration)))
    return records


def decode_stimulus(record: StimulusRecord, fps: float, input_size: int) -> np.ndarray:
    """``(T, S, S, 3)`` uint8 frames of one stimulus at ``fps`` (an image gives ``T = 1``)."""
    try:
        return video.read_frames(record.path, fps=None if record.is_image else fps,
                                 size=input_size, resize="center_crop",
                                 stimulus_id=record.stimulus_id)
    except video.MediaError as error:
        if error.stimulus_id:
            raise
        raise error.for_stimulus(record.stimulus_id) from error


class StimulusFrames(torch.utils.data.Dataset):
    """Map-style dataset: item ``i`` is ``(i, frames)`` for the ``i``-th record."""

    def __init__(self, records: Sequence[StimulusRecord], fps: float, input_size: int):
        self.records = list(records)
        self.fps = float(fps)
        self.input_size = int(input_size)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> tuple[int, torch.Tensor | video.MediaError]:
        """``(index, frames)``, or ``(index, error)`` for an unreadable file.

        The error is returned rather than raised so that it reaches the main process intact
        (DataLoader workers would re-raise it as a bare RuntimeError).
        """
        try:
            frames = decode_stimulus(self.records[index], self.fps, self.input_size)
        except video.MediaError as error:
            return index, error
        return index, torch.from_numpy(np.ascontiguousarray(frames))


def preprocess_frames(frames: torch.Tensor, mean: Sequence[float], std: Sequence[float],
                      device: torch.device | str = "cpu") -> torch.Tensor:
    """Normalise ``(..., H, W, 3)`` uint8 frames to ``(..., 3, H, W)`` float32 on ``device``.

    Pixel values are scaled to ``[0, 1]``, then ``(x - mean) / std`` per RGB channel.
    """
    frames = frames.to(device, non_blocking=True)
    mean_t = torch.tensor(mean, dtype=torch.float32, device=frames.device)
    std_t = torch.tensor(std, dtype=torch.float32, device=frames.device)
    out = frames.to(torch.float32).div_(255.0).sub_(mean_t).div_(std_t)  # in place: one buffer
    return out.movedim(-1, -3).contiguous()
