"""The BOLD Moments stimulus set, built from the user's copy of the gated videos."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import pandas as pd

from dynamic_vision.io.datasets import DataSpec
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.io.user_data import require_tree, user_tree

__all__ = ["load_stimulus_set"]


def load_stimulus_set(spec: DataSpec, progress: bool | None = None, **_: Any) -> StimulusSet:
    """Every clip of the declared tree, in its declared order, with a ``split`` column.

    Raises
    ------
    DataAccessError
        Videos are missing; the message lists them and says how to obtain them.
    """
    root = require_tree(spec.identifier)
    tree = user_tree(spec.identifier)
    assert tree is not None
    files, rows = {}, []
    for expected in tree.required:
        relative = PurePosixPath(expected.path)
        clip = relative.stem
        files[clip] = root / relative
        rows.append({"stimulus_id": clip, "split": relative.parent.name})
    return StimulusSet.from_files(files, spec.identifier, metadata=pd.DataFrame(rows),
                                  progress=progress)
