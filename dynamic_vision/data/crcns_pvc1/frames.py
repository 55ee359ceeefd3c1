"""pvc-1 movie segments: JPEG frame folders turned into video clips (written once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dynamic_vision.data.crcns_pvc1 import SEGMENTS
from dynamic_vision.io.datasets import DataSpec, data_folder
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.io.user_data import ExpectedFile, require_tree

__all__ = ["frame_names", "listed_frames", "load_segments"]


def frame_names(root: Path, segment: str) -> list[str]:
    """Relative paths of a segment's frames, in frame order, from its ``nframes`` count."""
    folder = f"movie_frames/{segment}.images"
    count = int((root / folder / "nframes").read_text().split()[0])
    return [f"{folder}/{segment}_{frame:03d}.jpeg" for frame in range(count)]


def listed_frames(root: Path) -> list[ExpectedFile]:
    """Every frame of every segment."""
    return [ExpectedFile(name) for segment in SEGMENTS for name in frame_names(root, segment)]


def load_segments(spec: DataSpec, progress: bool = True, **_: Any) -> StimulusSet:
    """One lossless clip per segment, in segment order (``movie``/``segment`` columns)."""
    from PIL import Image
    from tqdm.auto import tqdm

    from dynamic_vision.io.video import write_video

    root = require_tree(spec.identifier)
    fps = float(spec.loader_options["fps"])
    out = data_folder(spec.identifier) / "clips"
    files = {}
    for segment in tqdm(SEGMENTS, desc="pvc-1 segments", disable=not progress, leave=False):
        path = out / f"{segment}.mkv"
        if not path.exists():
            frames = np.stack([np.asarray(Image.open(root / name).convert("RGB"))
                               for name in frame_names(root, segment)])
            out.mkdir(parents=True, exist_ok=True)
            write_video(path, frames, fps=fps)
        files[segment] = path
    metadata = pd.DataFrame({"stimulus_id": list(SEGMENTS),
                             "movie": [int(s[5:8]) for s in SEGMENTS],
                             "segment": [int(s[9:12]) for s in SEGMENTS]})
    return StimulusSet.from_files(files, spec.identifier, metadata=metadata, progress=False)
