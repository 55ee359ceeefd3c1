"""Reading BOLD Moments prepared betas into a ``(presentation, neuroid, time_bin)`` assembly.

Each ``*_organized_betas_task-<task>_hemi-<hemi>_normalized.pkl`` is a pickled pair
``(betas, video_ids)``: ``betas`` is ``(n_videos, n_repetitions, n_vertices)`` float64 on the
fsaverage surface (163,842 vertices per hemisphere), ``video_ids`` names the rows (``"vid0001"``
style; the prefix is dropped). Pickles are read with :mod:`dynamic_vision.io.restricted_pickle`
after :func:`dynamic_vision.io.datasets.fetch` matched their sha256.

Only the vertices of the ROI labels are kept, so a subject's 1.3–3.9 GB per hemisphere become a
few MB. A vertex in two labels is one neuroid per label.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from dynamic_vision.io.assemblies import neural_assembly
from dynamic_vision.data.boldmoments import HEMISPHERES, ROIS, beta_name, label_name
from dynamic_vision.io.datasets import DataSpec

__all__ = ["read_label", "read_betas", "clip_id", "load_subject"]

#: Each video lasted 3 s; betas summarise the whole clip in one bin.
TIME_BIN_MS = (0.0, 3000.0)


def read_label(path: str | Path) -> np.ndarray:
    """Vertex indices of a FreeSurfer ASCII ``.label`` file.

    The format is a comment line, the number of vertices, then one ``vertex x y z value``
    row per vertex.
    """
    path = Path(path)
    lines = path.read_text().splitlines()
    try:
        count = int(lines[1].split()[0])
        rows = lines[2:2 + count]
        vertices = np.array([int(row.split()[0]) for row in rows], dtype=np.int64)
    except (IndexError, ValueError) as error:
        raise ValueError(f"{path} is not a FreeSurfer ASCII label file ({error}).") from None
    if len(vertices) != count:
        raise ValueError(f"{path} declares {count} vertices but lists {len(vertices)}.")
    return vertices


def clip_id(value: Any) -> str:
    """A video id as the 4-digit clip number of the stimulus files (``vid0001`` -> ``0001``)."""
    text = value.decode() if isinstance(value, bytes) else str(value)
    match = re.fullmatch(r"(?:vid)?_?0*(\d+)(?:\.mp4)?", text.strip())
    if match is None:
        raise ValueError(f"Unexpected BOLD Moments video id {text!r}.")
    return f"{int(match.group(1)):04d}"


def read_betas(path: str | Path) -> tuple[np.ndarray, list[str]]:
    """``(betas, clip_ids)`` of one prepared-betas pickle, checked for the published layout."""
    from dynamic_vision.io.restricted_pickle import load

    path = Path(path)
    content = load(path)
    if not (isinstance(content, (tuple, list)) and len(content) == 2):
        raise ValueError(f"{path}: expected a pickled (betas, video_ids) pair, got "
                         f"{type(content).__name__}.")
    betas, ids = content
    betas = np.asarray(betas)
    if betas.ndim != 3 or not np.issubdtype(betas.dtype, np.floating):
        raise ValueError(f"{path}: betas must be a float (videos, repetitions, vertices) array, "
                         f"got {betas.dtype} {betas.shape}.")
    ids = [clip_id(v) for v in np.asarray(ids).ravel()]
    if len(ids) != betas.shape[0]:
        raise ValueError(f"{path}: {len(ids)} video ids for {betas.shape[0]} rows of betas.")
    return betas, ids


def load_subject(spec: DataSpec, folder: Path, rois: Sequence[str] = ROIS,
                 dtype: str = "float32", **_: Any) -> xr.DataArray:
    """One subject's betas for one split, restricted to ROI vertices.

    Returns
    -------
    xarray.DataArray
        ``(presentation, neuroid, time_bin)`` with presentation coords ``stimulus_id`` (4-digit
        clip number), ``repetition``, ``split``; neuroid coords ``neuroid_id``, ``region`` (the
        ROI), ``hemisphere``, ``vertex``, ``subject``; one time bin 0–3000 ms. Trials whose
        betas are all missing (NaN) are dropped.
    """
    subject, task = spec.loader_options["subject"], spec.loader_options["task"]
    unknown = sorted(set(rois) - set(ROIS))
    if unknown:
        raise ValueError(f"'{spec.identifier}': unknown ROI(s) {unknown}; available: {ROIS}.")
    blocks, regions, hemis, vertices = [], [], [], []
    clip_ids: list[str] | None = None
    n_repetitions = 0
    for hemisphere in HEMISPHERES:
        path = folder / beta_name(subject, task, hemisphere)
        betas, ids = read_betas(path)
        if clip_ids is None:
            clip_ids, n_repetitions = ids, betas.shape[1]
        elif ids != clip_ids or betas.shape[1] != n_repetitions:
            raise ValueError(f"{path}: videos or repetitions differ from the other hemisphere.")
        for roi in rois:
            index = read_label(folder / label_name(roi, hemisphere))
            if index.size and index.max() >= betas.shape[2]:
                raise ValueError(f"{folder / label_name(roi, hemisphere)} indexes vertex "
                                 f"{index.max()} but {path} has {betas.shape[2]} vertices.")
            blocks.append(betas[:, :, index].astype(dtype))
            regions += [roi] * len(index)
            hemis += [hemisphere] * len(index)
            vertices += index.tolist()
        del betas
    assert clip_ids is not None
    values = np.concatenate(blocks, axis=2)
    n_clips = len(clip_ids)
    values = values.reshape(n_clips * n_repetitions, values.shape[2])
    stimulus = np.repeat(clip_ids, n_repetitions)
    repetition = np.tile(np.arange(n_repetitions), n_clips)
    present = ~np.all(np.isnan(values), axis=1)
    ids = [f"{subject}.{r}.{h[0].upper()}{v}" for r, h, v in zip(regions, hemis, vertices)]
    return neural_assembly(
        values[present], stimulus_id=stimulus[present], repetition=repetition[present],
        neuroid_id=ids, region=regions, time_bin_start=[TIME_BIN_MS[0]],
        time_bin_end=[TIME_BIN_MS[1]],
        presentation_coords={"split": np.full(int(present.sum()), task)},
        neuroid_coords={"hemisphere": hemis, "vertex": vertices,
                        "subject": [subject] * len(ids)},
        attrs={"identifier": spec.identifier, "space": "fsaverage"})
