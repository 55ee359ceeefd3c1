"""A :class:`~dynamic_vision.core.brain_model.BrainModel` made of a fixed function of the frames.

Hand-crafted models (motion energy, pixel controls) have no weights and no layers to choose
from: each clip is decoded once at the model's frame rate and size, turned into features per
time step, and the steps are averaged into the benchmark's time bins with
:func:`dynamic_vision.core.temporal.align_time`. Subclasses implement :meth:`FeatureModel.features`
and :meth:`FeatureModel.neuroids`; everything else (recording, trials and label tasks through
:class:`~dynamic_vision.core.brain_model.BrainModelBase`, an in-memory cache of per-clip
features) is shared.

Images are one-frame clips held for their ``duration_ms``: the frame is repeated at the model's
frame rate, so temporal filters see a still image switched on at time 0.
"""

from __future__ import annotations

import abc
import math
import os
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dynamic_vision.core.brain_model import BrainModelBase
from dynamic_vision.core.storage import cache_enabled
from dynamic_vision.core.temporal import align_time

__all__ = ["FeatureModel"]

#: Per-clip features kept in memory by one model object (most recently used first out last).
MEMORY_CACHE_CLIPS = 4096


class FeatureModel(BrainModelBase):
    """Base class of weight-free models computing features from decoded frames.

    Parameters
    ----------
    identifier
        Registry name of the model.
    layer
        Name of the model's single layer (the ``layer`` coord of its neuroids).
    fps
        Frame rate clips are decoded at.
    size
        Frames are resized to ``size`` x ``size`` pixels (``resize`` mode of
        :func:`dynamic_vision.io.video.read_frames`).
    degrees
        Visual angle spanned by the input, returned by :meth:`visual_degrees`.
    progress
        Show a progress bar while looking at more than a few clips.
    latency_ms
        Extra delay (ms) added to every feature step before it is averaged into time bins;
        the model is silent before its first step (causal alignment, see
        :mod:`dynamic_vision.core.temporal`). Features must themselves be causal: a step may
        depend only on frames whose onset is at or before its start.
    """

    def __init__(self, identifier: str, layer: str, fps: float, size: int, degrees: float, *,
                 resize: str = "resize", progress: bool = True, latency_ms: float = 0.0):
        super().__init__()
        if not (math.isfinite(float(latency_ms)) and float(latency_ms) >= 0):
            raise ValueError(f"latency_ms of model '{identifier}' must be a finite, "
                             f"non-negative number of milliseconds, got {latency_ms!r}.")
        self.latency_ms = float(latency_ms)
        self.identifier = identifier
        self.layer = layer
        self.fps = float(fps)
        self.size = int(size)
        self.degrees = float(degrees)
        self.resize = resize
        self.progress = progress
        self._neuroid_table: pd.DataFrame | None = None
        self._memory: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = \
            OrderedDict()

    # -- what a subclass provides ---------------------------------------------------------------
    @abc.abstractmethod
    def features(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features of one clip: ``(values (n_steps, n_neuroids), step_start_ms, step_end_ms)``.

        ``frames`` is ``(T, size, size, 3)`` uint8 at :attr:`fps`, the first frame at time 0.
        """

    @abc.abstractmethod
    def neuroids(self) -> pd.DataFrame:
        """One row per feature: a ``neuroid_id`` column and any descriptive columns."""

    def neuroid_table(self) -> pd.DataFrame:
        """:meth:`neuroids`, computed once per model object."""
        if self._neuroid_table is None:
            self._neuroid_table = self.neuroids()
        return self._neuroid_table

    # -- BrainModel -----------------------------------------------------------------------------
    @property
    def layers(self) -> tuple[str, ...]:
        """The layers offered for recording (one)."""
        return (self.layer,)

    def visual_degrees(self) -> float:
        return self.degrees

    def default_layers(self, region: str) -> list[str]:
        """Every region reads the model's one layer."""
        return [self.layer]

    def record(self, stimuli: Any, region: str, bins: list[tuple[float, float]],
               layers: list[str]) -> xr.DataArray:
        """Each clip's feature steps averaged into ``bins`` (the one layer)."""
        ids = [str(value) for value in stimuli["stimulus_id"]]
        table = self.neuroid_table()
        values = np.empty((len(ids), len(table), len(bins)), dtype=np.float32)
        for row, (features, starts, ends) in enumerate(self._each_clip(stimuli)):
            values[row] = align_time(features, starts, ends, bins, axis=0,
                                     latency_ms=self.latency_ms).T
        coords: dict[str, Any] = {
            "stimulus_id": ("presentation", ids),
            "neuroid_id": ("neuroid", table["neuroid_id"].astype(str).to_numpy()),
            "region": ("neuroid", np.full(len(table), region)),
            "layer": ("neuroid", np.full(len(table), self.layer)),
            "time_bin_start": ("time_bin", [b[0] for b in bins]),
            "time_bin_end": ("time_bin", [b[1] for b in bins]),
        }
        for column in table.columns:
            if column != "neuroid_id":
                coords[column] = ("neuroid", table[column].to_numpy())
        return xr.DataArray(values, dims=("presentation", "neuroid", "time_bin"), coords=coords,
                            attrs={"model": self.identifier, "region": region,
                                   "layers": self.layer})

    def task_features(self, stimuli: Any) -> np.ndarray:
        """``(presentation, neuroid)``: each clip's features averaged over its steps' durations."""
        rows = []
        for features, starts, ends in self._each_clip(stimuli):
            weights = (ends - starts) / (ends - starts).sum()
            rows.append(weights @ features)
        return np.asarray(rows)

    def _each_clip(self, stimuli: Any) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        from tqdm.auto import tqdm

        rows = list(zip(stimuli["stimulus_id"], stimuli["path"], _column(stimuli, "fps"),
                        _column(stimuli, "duration_ms")))
        for stimulus_id, path, fps, duration_ms in tqdm(
                rows, desc=f"{self.identifier}: looking", unit="clip",
                disable=not self.progress or len(rows) < 50):
            yield self._clip_features(str(stimulus_id), str(path), fps, duration_ms)

    def _clip_features(self, stimulus_id: str, path: str, fps: float, duration_ms: float
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from dynamic_vision.io.video import is_image_path, read_frames

        stat = os.stat(path)
        key = (path, stat.st_size, stat.st_mtime_ns, duration_ms)
        use_cache = cache_enabled()
        if use_cache and key in self._memory:
            self._memory.move_to_end(key)
            return self._memory[key]
        is_image = is_image_path(path) or (fps is not None and math.isnan(float(fps)))
        if is_image:
            frame = read_frames(path, size=self.size, resize=self.resize,
                                stimulus_id=stimulus_id)[:1]
            if duration_ms is None or not math.isfinite(float(duration_ms)):
                raise ValueError(f"Image stimulus '{stimulus_id}' ({path}) needs a finite "
                                 f"duration_ms to be held on screen.")
            n_frames = max(1, int(round(float(duration_ms) * self.fps / 1000.0)))
            frames = np.repeat(frame, n_frames, axis=0)
        else:
            frames = read_frames(path, fps=self.fps, size=self.size, resize=self.resize,
                                 stimulus_id=stimulus_id)
        result = self.features(frames)
        if use_cache:
            self._memory[key] = result
            while len(self._memory) > MEMORY_CACHE_CLIPS:
                self._memory.popitem(last=False)
        return result


def _column(stimuli: Any, name: str) -> list[Any]:
    if name in getattr(stimuli, "columns", []):
        return list(stimuli[name])
    return [None] * len(stimuli)
