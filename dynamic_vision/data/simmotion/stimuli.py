"""The SimMotion stimuli: drifting gratings, plaids and random-dot kinematograms (pure numpy).

:func:`conditions` lists every clip with its metadata; :func:`render` draws one clip as
``(n_frames, size, size)`` uint8 gray frames. Both are deterministic functions of the
parameters (random dots draw from a generator seeded by the root seed and the clip's index).
Directions follow :mod:`dynamic_vision.modeling.motion_energy`: 0 degrees is rightward, 90 upward.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dynamic_vision.data.simmotion.parameters import SimMotionParameters

__all__ = ["conditions", "render", "METADATA_COLUMNS"]

#: Metadata columns of every SimMotion clip (NaN where a column does not apply to a kind).
METADATA_COLUMNS = ("kind", "category", "direction", "orientation", "spatial_frequency",
                    "temporal_frequency", "speed", "contrast", "plaid_angle", "coherence",
                    "dot_seed")

MID_GRAY = 128.0


def _directions(n: int) -> np.ndarray:
    return np.arange(n) * 360.0 / n


def conditions(params: SimMotionParameters) -> pd.DataFrame:
    """One row per clip: ``stimulus_id`` and the metadata columns, in build order.

    Speeds are in pixels per second; ``orientation`` is the direction modulo 180 degrees
    (gratings) and ``category`` is the stimulus kind (for stratified splits).
    """
    nan = float("nan")
    rows: list[dict[str, object]] = []
    for direction in _directions(params.grating_directions):
        for sf in params.grating_spatial_frequencies:
            for tf in params.grating_temporal_frequencies:
                for contrast in params.grating_contrasts:
                    rows.append({"stimulus_id": f"grating_dir{direction:03.0f}_sf{sf:.3f}"
                                                f"_tf{tf:g}_c{contrast:.2f}",
                                 "kind": "grating", "direction": direction,
                                 "orientation": direction % 180.0, "spatial_frequency": sf,
                                 "temporal_frequency": tf, "speed": tf / sf,
                                 "contrast": contrast, "plaid_angle": nan,
                                 "coherence": nan, "dot_seed": -1})
    for direction in _directions(params.plaid_directions):
        for sf in params.plaid_spatial_frequencies:
            tf = params.plaid_temporal_frequency
            # Each component drifts at tf along its own normal; the pattern moves faster.
            pattern_speed = tf / sf / np.cos(np.deg2rad(params.plaid_angle / 2))
            rows.append({"stimulus_id": f"plaid_dir{direction:03.0f}_sf{sf:.3f}",
                         "kind": "plaid", "direction": direction, "orientation": nan,
                         "spatial_frequency": sf, "temporal_frequency": tf,
                         "speed": pattern_speed, "contrast": params.plaid_contrast,
                         "plaid_angle": params.plaid_angle, "coherence": nan, "dot_seed": -1})
    dot_index = 0
    for direction in _directions(params.dot_directions):
        for coherence in params.dot_coherences:
            for clip in range(params.dot_clips_per_condition):
                rows.append({"stimulus_id": f"dots_dir{direction:03.0f}_coh{coherence:.2f}"
                                            f"_{clip:02d}",
                             "kind": "dots", "direction": direction, "orientation": nan,
                             "spatial_frequency": nan, "temporal_frequency": nan,
                             "speed": params.dot_speed * params.fps, "contrast": 1.0,
                             "plaid_angle": nan, "coherence": coherence,
                             "dot_seed": dot_index})
                dot_index += 1
    table = pd.DataFrame(rows)
    table["category"] = table["kind"]
    table["dot_seed"] = table["dot_seed"].astype(np.int64)
    return table[["stimulus_id", *METADATA_COLUMNS]]


def _grating(params: SimMotionParameters, direction: float, sf: float, tf: float,
             contrast: float) -> np.ndarray:
    coords = np.arange(params.size, dtype=np.float64) + 0.5
    ys, xs = np.meshgrid(coords, coords, indexing="ij")
    angle = np.deg2rad(direction)
    along = xs * np.cos(angle) - ys * np.sin(angle)  # rows grow downwards
    t = np.arange(params.n_frames, dtype=np.float64)[:, None, None] / params.fps
    return contrast * np.cos(2 * np.pi * (sf * along[None] - tf * t))


def _dots(params: SimMotionParameters, direction: float, coherence: float,
          seed: int) -> np.ndarray:
    rng = np.random.default_rng([params.seed, 1, seed])
    size, n = params.size, params.dot_count
    positions = rng.uniform(0, size, size=(n, 2))
    polarity = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    angle = np.deg2rad(direction)
    step = params.dot_speed * np.array([np.cos(angle), -np.sin(angle)])
    out = np.zeros((params.n_frames, size, size))
    offsets = np.arange(params.dot_size) - params.dot_size // 2
    for frame in range(params.n_frames):
        if frame > 0:
            signal = rng.random(n) < coherence
            positions[signal] += step
            positions[~signal] = rng.uniform(0, size, size=(int((~signal).sum()), 2))
            positions %= size
        cols = (np.floor(positions[:, 0])[:, None] + offsets[None, :]).astype(int) % size
        rows = (np.floor(positions[:, 1])[:, None] + offsets[None, :]).astype(int) % size
        out[frame, rows[:, :, None], cols[:, None, :]] = polarity[:, None, None]
    return out


def render(params: SimMotionParameters, row: pd.Series) -> np.ndarray:
    """Draw the clip described by ``row`` (of :func:`conditions`): ``(T, size, size)`` uint8."""
    kind = row["kind"]
    if kind == "grating":
        contrast = _grating(params, row["direction"], row["spatial_frequency"],
                            row["temporal_frequency"], row["contrast"])
    elif kind == "plaid":
        half = params.plaid_angle / 2
        contrast = sum(_grating(params, row["direction"] + offset, row["spatial_frequency"],
                                row["temporal_frequency"], row["contrast"] / 2)
                       for offset in (-half, half))
    elif kind == "dots":
        contrast = _dots(params, row["direction"], row["coherence"], int(row["dot_seed"]))
    else:
        raise ValueError(f"Unknown SimMotion stimulus kind {kind!r} for "
                         f"'{row['stimulus_id']}'.")
    return np.clip(np.rint(MID_GRAY + 127.0 * contrast), 0, 255).astype(np.uint8)
