"""Natural movie one from Allen's open template, cut into clips (the stimulus set).

The template is read whether it is a NumPy ``.npy`` array (what third-party loaders report
for ``natural_movie_1.h5``) or an HDF5 file with a ``data`` dataset; either way it is
``(frames, height, width)`` uint8 grayscale. Each clip is written once, losslessly, next to the
template, so later loads only probe the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dynamic_vision.core import storage
from dynamic_vision.data.allen_neuropixels.session import clip_ids
from dynamic_vision.io.datasets import DataSpec
from dynamic_vision.io.stimuli import StimulusSet

__all__ = ["read_template", "load_movie"]


def read_template(path: str | Path) -> np.ndarray:
    """``(frames, height, width)`` uint8 frames of a movie template (.npy or HDF5)."""
    path = Path(path)
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\x93NUMPY"):
        frames = np.load(path, allow_pickle=False)
    elif magic.startswith(b"\x89HDF"):
        import h5py

        with h5py.File(path, "r") as handle:
            if "data" not in handle:
                raise ValueError(f"{path}: HDF5 template without a 'data' dataset "
                                 f"(has {sorted(handle)}).")
            frames = handle["data"][()]
    else:
        raise ValueError(f"{path} is neither a .npy array nor an HDF5 file.")
    if frames.ndim != 3 or frames.dtype != np.uint8:
        raise ValueError(f"{path}: expected (frames, height, width) uint8, got {frames.dtype} "
                         f"{frames.shape}.")
    return frames


def load_movie(spec: DataSpec, folder: Path, progress: bool = True, **_: Any) -> StimulusSet:
    """Download the template (sha256 pinned on first download) and cut it into clips."""
    from tqdm.auto import tqdm

    from dynamic_vision.data.allen_neuropixels.remote import fetch_pinned
    from dynamic_vision.io.video import write_video

    options = spec.loader_options
    per_clip, fps = int(options["frames_per_clip"]), float(options["fps"])
    template = fetch_pinned(options["url"], folder / Path(options["url"]).name,
                            progress=progress)
    clips_folder = folder / f"clips-{per_clip}"
    index = clips_folder / "clips.json"
    try:  # written last, so it exists only once every clip does
        n_clips = int(storage.read_json(index)["n_clips"])
    except (FileNotFoundError, ValueError, KeyError):
        frames = read_template(template)
        if len(frames) % per_clip:
            raise ValueError(f"{template}: {len(frames)} frames do not split into clips of "
                             f"{per_clip}.") from None
        n_clips = len(frames) // per_clip
        clips_folder.mkdir(parents=True, exist_ok=True)
        for clip, stimulus_id in enumerate(tqdm(clip_ids(options["movie"], n_clips),
                                                desc="cutting clips", disable=not progress,
                                                leave=False)):
            gray = frames[clip * per_clip:(clip + 1) * per_clip]
            write_video(clips_folder / f"{stimulus_id}.mp4",
                        np.repeat(gray[..., None], 3, axis=3), fps=fps)
        storage.atomic_write_json(index, {"n_clips": n_clips, "template": template.name})
    ids = clip_ids(options["movie"], n_clips)
    files = {stimulus_id: clips_folder / f"{stimulus_id}.mp4" for stimulus_id in ids}
    metadata = pd.DataFrame({"stimulus_id": ids, "clip": np.arange(n_clips),
                             "onset_frame": np.arange(n_clips) * per_clip})
    return StimulusSet.from_files(files, spec.identifier, metadata=metadata, progress=False)
