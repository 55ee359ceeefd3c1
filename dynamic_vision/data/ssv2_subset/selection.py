"""The SSv2 subset rule: smallest class ids, then smallest clip ids."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from dynamic_vision.data.ssv2_subset import N_CLASSES, N_PER_CLASS
from dynamic_vision.io.user_data import ExpectedFile

__all__ = ["selection", "selected_clips", "labels"]


def selection(root: Path, n_classes: int = N_CLASSES, n_per_class: int = N_PER_CLASS
              ) -> pd.DataFrame:
    """Chosen validation clips with ``stimulus_id``, ``label`` (int), ``template``, ``path``."""
    class_ids = {name: int(i) for name, i in json.loads((root / "labels.json").read_text())
                 .items()}
    clips = json.loads((root / "validation.json").read_text())
    rows = []
    for clip in clips:
        template = clip["template"].replace("[", "").replace("]", "")
        label = class_ids.get(template, class_ids.get(clip["template"]))
        if label is None:
            raise ValueError(f"{root / 'validation.json'}: clip {clip['id']} has template "
                             f"{clip['template']!r}, which labels.json does not list.")
        rows.append({"stimulus_id": str(clip["id"]), "label": label, "template": template})
    table = pd.DataFrame(rows)
    table["order"] = table["stimulus_id"].astype(int)
    kept = sorted(set(class_ids.values()))[:n_classes]
    chosen = (table[table["label"].isin(kept)].sort_values(["label", "order"], kind="stable")
              .groupby("label", sort=True).head(n_per_class).reset_index(drop=True))
    chosen["path"] = "videos/" + chosen["stimulus_id"] + ".webm"
    return chosen.drop(columns=["order"])


def selected_clips(root: Path) -> list[ExpectedFile]:
    """The clip files the subset needs, class by class."""
    return [ExpectedFile(path) for path in selection(root)["path"]]


def labels(root: Path) -> pd.DataFrame:
    """``stimulus_id``, ``label`` and ``template`` of the chosen clips."""
    return selection(root)[["stimulus_id", "label", "template"]]
