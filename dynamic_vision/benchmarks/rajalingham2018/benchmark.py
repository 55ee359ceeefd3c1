"""Rajalingham2018-i2n: does the model confuse the same images with the same objects as people?

The model learns a choice read-out (``Task.probabilities``) on the **fitting** half of the
public objectome images and answers on the **test** half; the two halves are disjoint and
stratified by object. The ``i2n`` metric compares the model's image-by-distractor normalised
d' with the pooled human trials on the test images; the ceiling is the trials' own split-half
I2n consistency (cached). Brain-Score's public variant instead fits and tests on the same 2,160
images, which lets a read-out memorise the test images; it is not offered here.
"""

from __future__ import annotations

from typing import Any

import xarray as xr

from dynamic_vision.benchmarking import BehaviourBenchmark
from dynamic_vision.scores import Score

DATASET = "Rajalingham2018.public"
STIMULUS_SET = "objectome.public"
VISUAL_DEGREES = 8.0


def load_stimuli() -> Any:
    """``objectome.public`` with a ``label`` column: the object each image shows."""
    from dynamic_vision.registry import stimulus_set_registry

    stimuli = stimulus_set_registry.load(STIMULUS_SET)
    column = "image_label" if "image_label" in stimuli.columns else "image_sample_obj"
    stimuli = stimuli.copy()
    stimuli["label"] = stimuli[column].astype(str)
    return stimuli


def load_trials() -> xr.DataArray:
    """The pooled human trials in the behavioural contract."""
    from dynamic_vision.benchmarking.brainio_data import load_trials as load

    return load(DATASET)


def i2n_ceiling(trials: xr.DataArray) -> Score:
    """Split-half I2n consistency of the subjects' trials, from the ``i2n`` metric plugin."""
    from dynamic_vision.registry import metric_registry

    metric = metric_registry.load("i2n")
    ceiling = getattr(metric, "ceiling", None)
    if ceiling is None:
        raise TypeError("The 'i2n' metric offers no ceiling(trials) method; "
                        "Rajalingham2018-i2n needs one.")
    return ceiling(trials)


def _bibtex() -> str:
    from dynamic_vision.data.rajalingham2018 import BIBTEX

    return BIBTEX


def i2n() -> BehaviourBenchmark:
    """``Rajalingham2018-i2n`` with disjoint fitting and test images."""
    return BehaviourBenchmark("Rajalingham2018-i2n", assembly=load_trials, stimuli=load_stimuli,
                              metric="i2n", ceiling=i2n_ceiling, held_out_fraction=0.5,
                              split_seed=0, visual_degrees=VISUAL_DEGREES, version=1,
                              bibtex=_bibtex(), ceiling_convention="ratio")
