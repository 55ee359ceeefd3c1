"""Spike counts in time bins aligned to the frames of a movie.

A movie shown on a monitor has frames whose onsets drift from the nominal ``k / fps`` (dropped
frames, a 59.9 Hz monitor). Counting spikes against the *logged* frame onsets keeps every bin
on the frames it claims to cover. The movie is cut into clips of ``frames_per_clip`` frames
(each clip becomes one stimulus) and each clip into bins of ``frames_per_bin`` frames; each
repeat of the movie gives one trial per clip.

Counting is one ``searchsorted`` per unit over all bin edges of all trials
(``perf/spike_binning.py`` compares it with a per-trial ``numpy.histogram`` loop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MovieTrials", "split_ragged", "movie_trials", "count_spikes"]


def split_ragged(data: np.ndarray, index: np.ndarray) -> list[np.ndarray]:
    """Split an NWB ragged column (``spike_times`` + ``spike_times_index``) per row.

    Parameters
    ----------
    data
        All values, concatenated.
    index
        NWB ``VectorIndex``: the exclusive end offset of each row in ``data``.
    """
    index = np.asarray(index, dtype=np.int64)
    if index.size and (np.any(np.diff(index) < 0) or index[-1] > len(data)):
        raise ValueError(f"Ragged index is not a non-decreasing list of end offsets within "
                         f"{len(data)} values (last offset {index[-1]}).")
    starts = np.concatenate([[0], index[:-1]])
    return [np.asarray(data[s:e]) for s, e in zip(starts, index)]


@dataclass(frozen=True)
class MovieTrials:
    """Bin edges of every clip of every movie repeat.

    Attributes
    ----------
    edges
        ``(n_trials, n_bins + 1)`` times in seconds: bin ``b`` of trial ``t`` is
        ``[edges[t, b], edges[t, b + 1])``; edges are logged frame onsets (the last one the
        stop time of the clip's last frame).
    clip
        Clip number of each trial (0 for the movie's first ``frames_per_clip`` frames).
    repeat
        Movie repeat of each trial.
    frames_per_bin, frames_per_clip
        The cut.
    frame_duration_ms
        Nominal frame duration (median of the logged durations), for the bins' ms labels.
    """

    edges: np.ndarray
    clip: np.ndarray
    repeat: np.ndarray
    frames_per_bin: int
    frames_per_clip: int
    frame_duration_ms: float

    @property
    def time_bins_ms(self) -> list[tuple[float, float]]:
        """Nominal ``(start, end)`` of each bin in ms from clip onset."""
        width = self.frames_per_bin * self.frame_duration_ms
        n_bins = self.edges.shape[1] - 1
        return [(round(b * width, 6), round((b + 1) * width, 6)) for b in range(n_bins)]


def movie_trials(presentations: pd.DataFrame, *, frames_per_clip: int, frames_per_bin: int,
                 n_frames: int | None = None) -> MovieTrials:
    """Cut a movie's frame-presentation table into clip trials with frame-aligned bins.

    Parameters
    ----------
    presentations
        One row per displayed frame with ``start_time``, ``stop_time`` (s) and ``frame``
        (index within the movie), as in the Allen ``natural_movie_*_presentations`` tables. A
        new repeat starts wherever ``frame`` goes back down.
    frames_per_clip
        Frames per clip; must divide the movie length.
    frames_per_bin
        Frames per time bin; must divide ``frames_per_clip``.
    n_frames
        Movie length in frames (default: the largest ``frame`` + 1). Repeats that do not show
        every frame exactly once, in order, are dropped.
    """
    if frames_per_clip % frames_per_bin:
        raise ValueError(f"frames_per_bin={frames_per_bin} must divide "
                         f"frames_per_clip={frames_per_clip}.")
    table = presentations.sort_values("start_time", kind="stable")
    frames = table["frame"].to_numpy().astype(np.int64)
    starts = table["start_time"].to_numpy(dtype=np.float64)
    stops = table["stop_time"].to_numpy(dtype=np.float64)
    length = int(frames.max()) + 1 if n_frames is None else int(n_frames)
    if length % frames_per_clip:
        raise ValueError(f"frames_per_clip={frames_per_clip} must divide the movie's "
                         f"{length} frames.")
    boundaries = np.flatnonzero(np.diff(frames) < 0) + 1
    groups = np.split(np.arange(len(frames)), boundaries)
    n_clips = length // frames_per_clip
    edges, clips, repeats = [], [], []
    expected = np.arange(length)
    for repeat, rows in enumerate(r for r in groups if np.array_equal(frames[r], expected)):
        onsets = starts[rows]
        for clip in range(n_clips):
            first = clip * frames_per_clip
            bin_starts = onsets[first:first + frames_per_clip:frames_per_bin]
            end = stops[rows][first + frames_per_clip - 1]
            edges.append(np.concatenate([bin_starts, [end]]))
            clips.append(clip)
            repeats.append(repeat)
    if not edges:
        raise ValueError(f"No complete repeat of the {length}-frame movie in the presentation "
                         f"table ({len(groups)} partial runs).")
    duration_ms = float(np.median(stops - starts)) * 1000.0
    return MovieTrials(np.asarray(edges), np.asarray(clips), np.asarray(repeats),
                       frames_per_bin, frames_per_clip, duration_ms)


def count_spikes(spike_times: Sequence[np.ndarray], edges: np.ndarray) -> np.ndarray:
    """Spike counts of each unit in each bin of each trial.

    Parameters
    ----------
    spike_times
        Per unit, spike times in seconds (any order).
    edges
        ``(n_trials, n_bins + 1)`` increasing bin edges in seconds; bins are half-open
        ``[start, end)``.

    Returns
    -------
    numpy.ndarray
        ``(n_trials, n_units, n_bins)`` int64 counts.
    """
    edges = np.asarray(edges, dtype=np.float64)
    if edges.ndim != 2 or edges.shape[1] < 2 or np.any(np.diff(edges, axis=1) <= 0):
        raise ValueError(f"edges must be (n_trials, n_bins + 1) and increasing within each "
                         f"trial; got shape {edges.shape}.")
    n_trials, n_edges = edges.shape
    counts = np.empty((n_trials, len(spike_times), n_edges - 1), dtype=np.int64)
    flat = edges.ravel()
    for unit, times in enumerate(spike_times):
        ordered = np.sort(np.asarray(times, dtype=np.float64))
        below = np.searchsorted(ordered, flat, side="left").reshape(n_trials, n_edges)
        counts[:, unit, :] = np.diff(below, axis=1)
    return counts
