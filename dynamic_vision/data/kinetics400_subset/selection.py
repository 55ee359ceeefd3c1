"""The Kinetics-400 subset rule: alphabetical classes, smallest (youtube_id, time_start)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dynamic_vision.data.kinetics400_subset import N_CLASSES, N_PER_CLASS
from dynamic_vision.io.user_data import ExpectedFile

__all__ = ["selection", "selected_clips", "labels"]


def selection(root: Path, n_classes: int = N_CLASSES, n_per_class: int = N_PER_CLASS
              ) -> pd.DataFrame:
    """The chosen rows of ``annotations/test.csv`` with ``stimulus_id`` and ``path`` columns."""
    table = pd.read_csv(root / "annotations" / "test.csv", dtype={"youtube_id": str})
    missing = {"label", "youtube_id", "time_start", "time_end"} - set(table.columns)
    if missing:
        raise ValueError(f"{root / 'annotations' / 'test.csv'} lacks columns {sorted(missing)}.")
    classes = sorted(table["label"].astype(str).unique())[:n_classes]
    chosen = (table[table["label"].isin(classes)]
              .sort_values(["label", "youtube_id", "time_start"], kind="stable")
              .groupby("label", sort=True).head(n_per_class).reset_index(drop=True))
    chosen["stimulus_id"] = [f"{y}_{int(s):06d}_{int(e):06d}" for y, s, e in
                             zip(chosen["youtube_id"], chosen["time_start"],
                                 chosen["time_end"])]
    chosen["path"] = "test/" + chosen["stimulus_id"] + ".mp4"
    return chosen


def selected_clips(root: Path) -> list[ExpectedFile]:
    """The clip files the subset needs, class by class."""
    return [ExpectedFile(path) for path in selection(root)["path"]]


def labels(root: Path) -> pd.DataFrame:
    """``stimulus_id`` and ``label`` (action class) of the chosen clips."""
    return selection(root)[["stimulus_id", "label"]]
