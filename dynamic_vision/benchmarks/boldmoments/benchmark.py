"""BOLD Moments benchmarks on the test videos, per ROI.

The set-up follows Sartzetaki et al. (2025): the 102 test videos, each seen 10 times by each of
the 10 subjects, compared by RSA (Spearman correlation of correlation-distance RDMs); the ridge
variant predicts every ROI vertex. Vertices of all subjects are pooled as neuroids (repetitions
stay per subject), half of the test videos are held out for the score, and layered models pick
their layer on the other half. Ceilings are split-half over repetitions (Spearman–Brown).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import xarray as xr

from dynamic_vision.benchmarking import NeuralBenchmark

#: Angle of the videos on screen; not stated in the sources read, so the library default.
VISUAL_DEGREES = 8.0
SUBJECTS = tuple(f"sub-{n:02d}" for n in range(1, 11))


def load_recordings(subjects: Sequence[str] = SUBJECTS, task: str = "test",
                    dataset: str = "BOLDMoments") -> xr.DataArray:
    """Every subject's ROI betas, pooled along ``neuroid``.

    Subjects are read one at a time (each from ``<dataset>.<subject>.<task>``); trials present
    in every subject are kept, in the first subject's order.
    """
    from dynamic_vision.registry import dataset_registry

    parts = [dataset_registry.load(f"{dataset}.{subject}.{task}") for subject in subjects]
    keys = [list(zip(p["stimulus_id"].values.tolist(), p["repetition"].values.tolist()))
            for p in parts]
    common = set(keys[0]).intersection(*map(set, keys[1:]))
    order = [k for k in keys[0] if k in common]
    aligned = []
    for part, key in zip(parts, keys):
        position = {k: i for i, k in enumerate(key)}
        aligned.append(part.isel(presentation=[position[k] for k in order]))
    pooled = xr.concat([a.drop_vars(["split"]) for a in aligned], dim="neuroid",
                       coords="minimal", compat="override")
    pooled = pooled.assign_coords(split=("presentation", aligned[0]["split"].values))
    return pooled.transpose("presentation", "neuroid", "time_bin")


def _test_stimuli(stimulus_set: str) -> Any:
    from dynamic_vision.registry import stimulus_set_registry

    stimuli = stimulus_set_registry.load(stimulus_set)
    return stimuli.subset(stimuli.loc[stimuli["split"] == "test", "stimulus_id"].tolist())


def _bibtex() -> str:
    from dynamic_vision.data.boldmoments import BIBTEX

    return BIBTEX


def build(roi: str, metric: str, *, subjects: Sequence[str] = SUBJECTS,
          dataset: str = "BOLDMoments", stimulus_set: str = "BOLDMoments",
          identifier: str | None = None) -> NeuralBenchmark:
    """A BOLD Moments benchmark for ``roi`` with ``metric`` (``"ridge"`` or ``"rsa"``).

    ``dataset``/``stimulus_set`` name other registrations of the same format (mirrors, tests).
    """
    from dynamic_vision.ceilings import rsa_ceiling, split_half_ceiling

    ceiling = {"ridge": split_half_ceiling, "rsa": rsa_ceiling}[metric]
    return NeuralBenchmark(
        identifier or f"BOLDMoments.{roi}-{metric}",
        assembly=functools.partial(load_recordings, tuple(subjects), "test", dataset),
        stimuli=functools.partial(_test_stimuli, stimulus_set), region=roi, metric=metric,
        ceiling=ceiling, held_out_fraction=0.5, split_seed=0, visual_degrees=VISUAL_DEGREES,
        version=1, bibtex=_bibtex(), ceiling_convention="ratio")


def ridge_v1() -> NeuralBenchmark:
    """``BOLDMoments.V1-ridge``."""
    return build("V1", "ridge")


def ridge_v2() -> NeuralBenchmark:
    """``BOLDMoments.V2-ridge``."""
    return build("V2", "ridge")


def ridge_mt() -> NeuralBenchmark:
    """``BOLDMoments.MT-ridge``."""
    return build("MT", "ridge")


def rsa_v1() -> NeuralBenchmark:
    """``BOLDMoments.V1-rsa``."""
    return build("V1", "rsa")


def rsa_v2() -> NeuralBenchmark:
    """``BOLDMoments.V2-rsa``."""
    return build("V2", "rsa")


def rsa_mt() -> NeuralBenchmark:
    """``BOLDMoments.MT-rsa``."""
    return build("MT", "rsa")


__all__ = ["load_recordings", "build"]
