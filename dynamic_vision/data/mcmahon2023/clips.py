"""The McMahon 2023 clip list, read from the authors' train/test lists (file order)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dynamic_vision.io.user_data import ExpectedFile

__all__ = ["clip_names", "listed_videos", "annotations"]


def clip_names(root: Path) -> dict[str, list[str]]:
    """Video file names of each split: one per line after a header line."""
    names = {}
    for split in ("train", "test"):
        lines = (root / f"{split}.csv").read_text().splitlines()[1:]
        names[split] = [line.split(",")[0].strip() for line in lines if line.strip()]
    return names


def listed_videos(root: Path) -> list[ExpectedFile]:
    """``videos/<name>`` for every listed clip, train first."""
    return [ExpectedFile(f"videos/{name}") for split in clip_names(root).values()
            for name in split]


def annotations(root: Path) -> pd.DataFrame:
    """``annotations.csv`` keyed by ``stimulus_id`` (the video stem), with a ``split`` column."""
    table = pd.read_csv(root / "annotations.csv")
    table["stimulus_id"] = table["video_name"].map(lambda name: Path(str(name)).stem)
    split = {Path(n).stem: s for s, names in clip_names(root).items() for n in names}
    table["split"] = table["stimulus_id"].map(split)
    return table.drop(columns=["video_name"])
