"""Rajalingham2018.objects-i2n: does the model confuse the same images with the same objects as people?

The model learns a choice read-out (``Task.probabilities``) on the **fitting** half of the
public objectome images and answers on the **test** half; the two halves are disjoint and
stratified by object. The ``i2n`` metric correlates the model's image-by-distractor normalised
d' with that of all pooled human trials on the test images; the ceiling is the trials' own
split-half I2n consistency (halves within each image, Spearman-Brown corrected, 10 halvings,
cached); the score is ``raw / sqrt(ceiling)`` (the ``disattenuated`` convention: the ceiling is
the reliability of the signature of all trials, which a noise-free model correlates with at
``sqrt(ceiling)``). Brain-Score's public variant instead fits and tests on the same 2,160
images, which lets a read-out memorise the test images; it is not offered here (its metric and
ceiling are, exactly: ``brainscore.i2n``).
"""

from __future__ import annotations

import functools
from typing import Any

import xarray as xr

from dynamic_vision.benchmark_kinds import BehaviorBenchmark
from dynamic_vision.core.benchmark import BenchmarkSpec
from dynamic_vision.core.scores import Score

def load_stimuli(stimulus_set: str) -> Any:
    """The objectome images with a ``label`` column: the object each image shows."""
    from dynamic_vision.core.registry import stimulus_set_registry

    stimuli = stimulus_set_registry.load(stimulus_set)
    column = "image_label" if "image_label" in stimuli.columns else "image_sample_obj"
    stimuli = stimuli.copy()
    stimuli["label"] = stimuli[column].astype(str)
    return stimuli


def load_trials(dataset: str) -> xr.DataArray:
    """The pooled human trials in the behavioural contract."""
    from dynamic_vision.io.brainio import load_trials as load

    return load(dataset)


def i2n_metric(source: xr.DataArray, target: xr.DataArray) -> Score:
    """The registry's ``i2n`` metric, with the object each image shows (taken from the
    trials, as Brain-Score does) attached to the model's choice probabilities."""
    from dynamic_vision.core.registry import metric_registry

    label_of = dict(zip(target["stimulus_id"].values.astype(str),
                        target["label"].values.astype(str)))
    ids = source["stimulus_id"].values.astype(str)
    unknown = sorted(set(ids) - set(label_of))
    if unknown:
        raise KeyError(f"The model answered on images without trials, e.g. {unknown[:3]}.")
    source = source.assign_coords(label=("presentation", [label_of[i] for i in ids]))
    return metric_registry.load("i2n")(source, target)


def i2n_ceiling(trials: xr.DataArray) -> Score:
    """Split-half (within each image, Spearman-Brown corrected) consistency of the trials' I2n."""
    from dynamic_vision.statistics.ceilings import behavioral_ceiling
    from dynamic_vision.metric_kinds.behavior import signature_of

    return behavioral_ceiling(trials, signature_of("i2n"))


def i2n(spec: BenchmarkSpec) -> BehaviorBenchmark:
    """``Rajalingham2018.objects-i2n`` with disjoint fitting and test images."""
    return BehaviorBenchmark(spec, assembly=functools.partial(load_trials, spec.dataset),
                              stimuli=functools.partial(load_stimuli, spec.stimulus_set),
                              metric=i2n_metric, ceiling=i2n_ceiling, held_out_fraction=0.5,
                              split_seed=0)
