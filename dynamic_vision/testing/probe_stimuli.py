"""A tiny generated stimulus set for checking models: moving bars and a still image.

Four 1-second clips of a bright bar drifting left or right over a dark background (labels
``"left"`` / ``"right"``, two bar widths each) and one still image of the same bar, all 32x32
pixels. The content changes over time, so a model that watches the clips must give time bins that
differ; the labels are linearly separable from motion, so a readout can be fitted on them.
Files are written losslessly and reproducibly once per folder and then reused.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from dynamic_vision.core import storage

__all__ = ["probe_stimulus_set", "PROBE_FPS", "PROBE_FRAMES", "PROBE_SIZE", "IMAGE_DURATION_MS"]

PROBE_FPS = 12.0
PROBE_FRAMES = 12
PROBE_SIZE = 32
IMAGE_DURATION_MS = 250.0
_VERSION = 1


def _bar_frames(direction: int, width: int) -> np.ndarray:
    """``(PROBE_FRAMES, PROBE_SIZE, PROBE_SIZE, 3)`` uint8 frames of a drifting bar."""
    frames = np.full((PROBE_FRAMES, PROBE_SIZE, PROBE_SIZE, 3), 20, dtype=np.uint8)
    columns = np.arange(PROBE_SIZE)
    for t in range(PROBE_FRAMES):
        centre = (PROBE_SIZE // 2 + direction * 2 * (t - PROBE_FRAMES // 2)) % PROBE_SIZE
        distance = np.minimum(np.abs(columns - centre), PROBE_SIZE - np.abs(columns - centre))
        frames[t, :, distance <= width // 2] = (230, 200, 120)
    return frames


def probe_stimulus_set(folder: str | os.PathLike[str] | None = None):
    """The probe stimuli as a :class:`~dynamic_vision.io.stimuli.StimulusSet`, written if needed.

    Parameters
    ----------
    folder
        Where the files live; default ``DYNAMIC_VISION_HOME/probe_stimuli/v1``.
    """
    from PIL import Image

    from dynamic_vision.io.stimuli import StimulusSet
    from dynamic_vision.io.video import write_video

    root = Path(folder) if folder is not None else storage.home("probe_stimuli", f"v{_VERSION}")
    root.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    labels: dict[str, str] = {}
    for direction, label in ((-1, "left"), (1, "right")):
        for width in (3, 7):
            stimulus_id = f"bar-{label}-w{width}"
            path = root / f"{stimulus_id}.mkv"
            if not path.exists():
                write_video(path, _bar_frames(direction, width), PROBE_FPS)
            files[stimulus_id], labels[stimulus_id] = path, label
    image = root / "bar-still.png"
    if not image.exists():
        with storage.atomic_write(image) as handle:
            Image.fromarray(_bar_frames(1, 5)[0]).save(handle, format="PNG")
    files["bar-still"], labels["bar-still"] = image, "still"
    metadata = pd.DataFrame({"stimulus_id": list(labels), "label": list(labels.values())})
    return StimulusSet.from_files(files, identifier="ProbeBars", metadata=metadata,
                                  image_duration_ms=IMAGE_DURATION_MS, progress=False)
