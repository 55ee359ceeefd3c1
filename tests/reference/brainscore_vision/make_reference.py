"""Write ``brainscore_vision_2.4.2.json``: Brain-Score's own results on small seeded synthetic data.

Runs inside the separate virtual environment that ``make_reference.sh`` builds (brainscore-vision
2.4.2 with numpy<2, pandas<3, xarray<2022.6). Every output value comes from Brain-Score's own
metrics, ceilings and benchmark helpers; this script only generates the inputs, builds
Brain-Score's assembly classes around them, and *records* what Brain-Score did (the splits it drew,
the repetition halves, the trial halves, per-split and per-neuroid values) by wrapping its methods
without changing their results.

Conventions of the JSON: all indices are 0-based; arrays are nested lists in the order given to
Brain-Score; floats are written with Python's ``repr`` (shortest string that round-trips to the
same IEEE-754 double); NaN is written as ``null``.

Usage: python make_reference.py OUTPUT.json
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import math
import os
import platform
import sys
import warnings

import numpy as np

if os.environ.get("BS_INSTALL_DEPENDENCIES") != "no" or os.environ.get("RESULTCACHING_DISABLE") != "1":
    sys.exit("run through make_reference.sh (needs BS_INSTALL_DEPENDENCIES=no, RESULTCACHING_DISABLE=1)")

warnings.simplefilter("ignore", FutureWarning)
warnings.simplefilter("ignore", DeprecationWarning)
# the I2n d' of an object against itself averages an all-NaN column: expected, silenced
warnings.filterwarnings("ignore", message="Mean of empty slice", category=RuntimeWarning)
os.environ.setdefault("TQDM_DISABLE", "1")

import pandas as pd  # noqa: E402
from sklearn.cross_decomposition import PLSRegression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from brainscore_core import Score  # noqa: E402
from brainscore_core.supported_data_standards.brainio.assemblies import (  # noqa: E402
    BehavioralAssembly, NeuroidAssembly)
from brainscore_core.supported_data_standards.brainio.stimuli import StimulusSet  # noqa: E402

import brainscore_vision  # noqa: E402
from brainscore_vision import load_ceiling, load_metric  # noqa: E402
from brainscore_vision.benchmark_helpers import PrecomputedFeatures  # noqa: E402
from brainscore_vision.benchmark_helpers.neural_common import (  # noqa: E402
    NeuralBenchmark, average_repetition, explained_variance)
from brainscore_vision.benchmarks import BenchmarkBase  # noqa: E402
from brainscore_vision.benchmarks.rajalingham2018.benchmarks.benchmark import (  # noqa: E402
    _DicarloRajalingham2018)
from brainscore_vision.metrics.i1i2.metric import I1n  # noqa: E402
from brainscore_vision.metrics.regression_correlation.metric import (  # noqa: E402
    ALPHA_LIST, CrossRegressedCorrelation, pearsonr_correlation, ridge_cv_regression)

SEED = 20240917
VISUAL_DEGREES = 8

# sizes
N_OBJECTS_NEURAL = 5
IMAGES_PER_OBJECT_NEURAL = 10          # 50 stimuli
N_FEATURES = 32                        # >= 25 PLS components
N_NEUROIDS = 8
N_REPETITIONS = 9                      # odd on purpose: the split-half ceiling uses 4 vs 5 repetitions
N_LATENT = 6
N_TRAIN_FIXED = 40                     # fixed train/test split for the *_split metrics

BEHAVIOUR_OBJECTS = ["apple", "bear", "car", "dog", "elephant", "face", "pear", "shoe"]
IMAGES_PER_OBJECT_BEHAVIOUR = 4        # 32 images
TRIALS_PER_IMAGE_DISTRACTOR = 40       # 32 * 7 * 40 = 8960 human trials


# ---------------------------------------------------------------------------------------- helpers

def f(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def floats(array) -> list:
    array = np.asarray(array, dtype=float)
    if array.ndim == 0:
        return f(array)
    return [floats(a) for a in array]


def ints(array) -> list:
    return [int(v) for v in np.asarray(array).ravel()]


def strs(array) -> list:
    return [str(v) for v in np.asarray(array).ravel()]


def hex_id(prefix: str, k: int) -> str:
    return prefix + hashlib.sha1(f"{prefix}-{k}-{SEED}".encode()).hexdigest()[:8]


def error_of(score) -> float:
    return f(score.attrs["error"])


def record_build_splits(split, sink: list, stratification_coord: str | None):
    """Wrap a ``metric_helpers.transformations.Split`` so that the splits it builds are recorded."""
    original = split.build_splits

    def build_splits(assembly):
        values, splits = original(assembly)
        split_values = np.asarray(values.values)
        entry = {
            "split_coord_values": [str(v) if isinstance(v, str) else int(v) for v in split_values],
            "splits": [{"train_indices": ints(train), "test_indices": ints(test)}
                       for train, test in splits],
        }
        if stratification_coord:
            entry["stratification_values"] = strs(assembly[stratification_coord].values)
        sink.append(entry)
        return values, splits

    split.build_splits = build_splits


def sorted_ids(assembly, coord="stimulus_id") -> list:
    return sorted(strs(assembly[coord].values))


def same_splits(records: list) -> dict:
    first = records[0]
    for other in records[1:]:
        assert other == first, "Brain-Score drew different splits for the same assembly"
    return first


# ------------------------------------------------------------------------------- neural inputs

def make_neural_inputs(rng: np.random.Generator) -> dict:
    objects = ["bear", "car", "dog", "face", "pear"][:N_OBJECTS_NEURAL]
    n_stimuli = N_OBJECTS_NEURAL * IMAGES_PER_OBJECT_NEURAL
    stimulus_ids = [hex_id("img", k) for k in range(n_stimuli)]
    object_names = [objects[k // IMAGES_PER_OBJECT_NEURAL] for k in range(n_stimuli)]

    object_means = rng.normal(0, 1.0, size=(N_OBJECTS_NEURAL, N_LATENT))
    latent = np.stack([object_means[objects.index(o)] for o in object_names]) \
        + rng.normal(0, 1.0, size=(n_stimuli, N_LATENT))
    feature_weights = rng.normal(0, 1.0, size=(N_LATENT, N_FEATURES))
    features = latent @ feature_weights / math.sqrt(N_LATENT) \
        + rng.normal(0, 0.8, size=(n_stimuli, N_FEATURES)) + rng.normal(0, 0.5, size=N_FEATURES)

    neural_weights = rng.normal(0, 1.0, size=(N_LATENT, N_NEUROIDS))
    signal = latent @ neural_weights / math.sqrt(N_LATENT) \
        + rng.normal(0, 0.6, size=(n_stimuli, N_NEUROIDS)) + rng.uniform(2, 5, size=N_NEUROIDS)
    noise_sd = np.linspace(0.6, 4.0, N_NEUROIDS)  # neuroids from reliable to noisy
    trials = signal[:, None, :] + rng.normal(0, 1, size=(n_stimuli, N_REPETITIONS, N_NEUROIDS)) * noise_sd

    # presentation rows in a shuffled order, as a recording would have them
    rows = [(s, r) for s in range(n_stimuli) for r in range(N_REPETITIONS)]
    order = rng.permutation(len(rows))
    rows = [rows[k] for k in order]
    neural_values = np.stack([trials[s, r] for s, r in rows])

    model_order = rng.permutation(n_stimuli)
    fixed_order = rng.permutation(n_stimuli)
    # fixed train/test split balanced over objects: 8 train / 2 test images per object
    train = sorted(int(k) for o in range(N_OBJECTS_NEURAL)
                   for k in [i for i in fixed_order if object_names[i] == objects[o]][:N_TRAIN_FIXED // N_OBJECTS_NEURAL])
    test = sorted(set(range(n_stimuli)) - set(train))
    return {
        "objects": objects,
        "stimulus_ids": stimulus_ids,
        "object_names": object_names,
        "neural_rows": rows,
        "neural_values": neural_values,
        "neuroid_ids": [f"neuroid-{k:02d}" for k in range(N_NEUROIDS)],
        "model_order": [int(k) for k in model_order],
        "features": features[model_order],
        "feature_ids": [f"feature-{k:02d}" for k in range(N_FEATURES)],
        "fixed_train": [stimulus_ids[k] for k in train],
        "fixed_test": [stimulus_ids[k] for k in test],
    }


def build_neural_assemblies(inputs: dict):
    stimulus_set = StimulusSet(pd.DataFrame({"stimulus_id": inputs["stimulus_ids"],
                                             "object_name": inputs["object_names"]}))
    stimulus_set.identifier = "dynamic-vision-reference-stimuli"
    rows = inputs["neural_rows"]
    n = len(rows)
    repetition_values = inputs["neural_values"][:, :, None]  # presentation x neuroid x time_bin (one bin)
    repetition = NeuroidAssembly(
        repetition_values,
        coords={"stimulus_id": ("presentation", [inputs["stimulus_ids"][s] for s, _ in rows]),
                "object_name": ("presentation", [inputs["object_names"][s] for s, _ in rows]),
                "repetition": ("presentation", [int(r) for _, r in rows]),
                "neuroid_id": ("neuroid", inputs["neuroid_ids"]),
                "region": ("neuroid", ["IT"] * N_NEUROIDS),
                "time_bin_start": ("time_bin", [70]),
                "time_bin_end": ("time_bin", [170])},
        dims=["presentation", "neuroid", "time_bin"])
    assert repetition.shape == (n, N_NEUROIDS, 1)
    repetition = repetition.squeeze("time_bin")  # as the MajajHong2015 loader does
    repetition.attrs["stimulus_set"] = stimulus_set
    repetition.attrs["stimulus_set_identifier"] = stimulus_set.identifier
    repetition = repetition.transpose("presentation", "neuroid")
    averaged = average_repetition(repetition)  # Brain-Score's own helper
    averaged = averaged.transpose("presentation", "neuroid")

    model_ids = [inputs["stimulus_ids"][k] for k in inputs["model_order"]]
    features = NeuroidAssembly(
        inputs["features"],
        coords={"stimulus_id": ("presentation", model_ids),
                "object_name": ("presentation", [inputs["object_names"][k] for k in inputs["model_order"]]),
                "neuroid_id": ("neuroid", inputs["feature_ids"]),
                "layer": ("neuroid", ["reference-layer"] * N_FEATURES)},
        dims=["presentation", "neuroid"])
    return stimulus_set, repetition, averaged, features


def select_stimuli(assembly, stimulus_ids):
    wanted = set(stimulus_ids)
    mask = [s in wanted for s in assembly["stimulus_id"].values]
    return assembly.isel(presentation=np.flatnonzero(mask))


# ---------------------------------------------------------------------------- neural reference

def per_neuroid(raw) -> dict:
    raw = raw.transpose("split", "neuroid") if "split" in raw.dims else raw
    return {"neuroid_id": strs(raw["neuroid_id"].values), "values": floats(raw.values)}


def run_cross_regressed(metric, source, target, split_records: list) -> dict:
    """Run a ``CrossRegressedCorrelation`` and record what it did in each split."""
    record_build_splits(metric.cross_validation._split, split_records, "object_name")
    per_split, seen_ids = [], []
    original_apply, original_aggregate = metric.apply, metric.aggregate
    medians = []

    def apply(source_train, target_train, source_test, target_test):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            score = original_apply(source_train, target_train, source_test, target_test)
        regression = metric.regression._regression
        entry = {"convergence_warnings": sum(issubclass(w.category, ConvergenceWarning) for w in caught)}
        seen_ids.append((sorted_ids(target_train), sorted_ids(target_test)))
        if isinstance(regression, PLSRegression):
            entry["nipals_iterations_per_component"] = ints(regression.n_iter_)
        if hasattr(regression, "alpha_"):
            entry["alpha"] = f(regression.alpha_)
        per_split.append(entry)
        return score

    def aggregate(scores):
        result = original_aggregate(scores)
        medians.append(floats(result.values))
        return result

    metric.apply, metric.aggregate = apply, aggregate
    score = metric(source, target)
    raw = score.raw
    assert raw.dims == ("split", "neuroid") or set(raw.dims) == {"split", "neuroid"}
    result = {
        "value": f(score.values),
        "error": error_of(score),
        "per_split_median_over_neuroids": medians[0],
        "per_split_per_neuroid": per_neuroid(raw),
        "per_split": per_split,
        "splits": "splits.regression_cv",
    }
    # Brain-Score's own numbers must agree with its raw values
    assert np.array_equal(np.median(raw.transpose("split", "neuroid").values, axis=1), medians[0])
    record = split_records[-1]
    for split, (train_ids, test_ids) in zip(record["splits"], seen_ids):
        assert sorted(record["split_coord_values"][k] for k in split["train_indices"]) == train_ids
        assert sorted(record["split_coord_values"][k] for k in split["test_indices"]) == test_ids
    return result


def run_train_test(metric, source_train, source_test, target_train, target_test) -> dict:
    score = metric(source_train=source_train, source_test=source_test,
                   target_train=target_train, target_test=target_test)
    result = {"value": f(score.values), "per_neuroid": per_neuroid(score.raw)}
    if "alpha" in score.raw.attrs:
        result["alpha"] = f(score.raw.attrs["alpha"])
    regression = metric.regression._regression
    if isinstance(regression, PLSRegression):
        result["nipals_iterations_per_component"] = ints(regression.n_iter_)
    return result


def run_internal_consistency(repetition) -> tuple[dict, Score]:
    ceiler = load_ceiling("internal_consistency")
    split_half = ceiler._consistency                      # _SplitHalvesConsistency
    records: list = []
    record_build_splits(split_half._cross_validation._split, records, None)
    wrapper = split_half._consistency                     # SplitHalfWrapper
    original_metric = wrapper._consistency_metric
    original_aggregate = split_half._aggregate
    halves, uncorrected, medians = [], [], []

    def consistency_metric(half1, half2):
        result = original_metric(half1, half2)
        uncorrected.append(floats(result.sortby("neuroid_id").values))
        return result

    def call(half1, half2):
        halves.append({"half1_repetitions": sorted(ints(np.unique(half1["repetition"].values))),
                       "half2_repetitions": sorted(ints(np.unique(half2["repetition"].values))),
                       "half1_presentations": int(half1.sizes["presentation"]),
                       "half2_presentations": int(half2.sizes["presentation"])})
        return original_call(half1, half2)

    def aggregate(scores):
        result = original_aggregate(scores)
        medians.append(floats(result.values))
        return result

    wrapper._consistency_metric = consistency_metric
    original_call = wrapper.__call__
    split_half._consistency = call
    split_half._aggregate = aggregate
    ceiling = ceiler(repetition)
    raw = ceiling.raw
    record = records[0]
    for split, half in zip(record["splits"], halves):
        values = record["split_coord_values"]
        assert sorted(values[k] for k in split["train_indices"]) == half["half1_repetitions"]
        assert sorted(values[k] for k in split["test_indices"]) == half["half2_repetitions"]
        split.update(half)
    neuroid_order = strs(raw["neuroid_id"].values)
    assert neuroid_order == sorted(neuroid_order)
    return {
        "registry_name": "internal_consistency",
        "input": "inputs.neural_repetitions",
        "value": f(ceiling.values),
        "error": error_of(ceiling),
        "per_split_median_over_neuroids": medians[0],
        "per_split_per_neuroid_spearman_brown_corrected": per_neuroid(raw),
        "per_split_per_neuroid_uncorrected_pearson": {"neuroid_id": sorted(neuroid_order),
                                                      "values": uncorrected},
        "split_generator": "ShuffleSplit(n_splits=10, train_size=0.5, test_size=None, random_state=1) "
                           "over the unique repetition values (np.unique order)",
        "splits": record,
    }, ceiling


def neural_reference(inputs: dict) -> tuple[dict, dict, dict]:
    stimulus_set, repetition, averaged, features = build_neural_assemblies(inputs)
    splits_regression: list = []
    results = {}
    for name in ["pls", "ridge", "linear_predictivity"]:
        metric = load_metric(name, crossvalidation_kwargs=dict(stratification_coord="object_name"))
        results[name] = {"registry_name": name,
                         "registered_as": f"{name}_cv (the '{name}' entry is an alias of '{name}_cv')",
                         **run_cross_regressed(metric, features, averaged, splits_regression)}
    # RidgeCV inside the same cross-validation: composed from Brain-Score's own classes, not registered
    metric = CrossRegressedCorrelation(regression=ridge_cv_regression(), correlation=pearsonr_correlation(),
                                       crossvalidation_kwargs=dict(stratification_coord="object_name"))
    results["ridgecv_crossvalidated_composed"] = {
        "registry_name": None,
        "construction": "CrossRegressedCorrelation(regression=ridge_cv_regression(), "
                        "correlation=pearsonr_correlation()) -- not a registered metric in 2.4.2",
        **run_cross_regressed(metric, features, averaged, splits_regression)}
    regression_cv = same_splits(splits_regression)

    # fixed train/test split metrics
    train_ids, test_ids = inputs["fixed_train"], inputs["fixed_test"]
    parts = dict(source_train=select_stimuli(features, train_ids), source_test=select_stimuli(features, test_ids),
                 target_train=select_stimuli(averaged, train_ids), target_test=select_stimuli(averaged, test_ids))
    for name in ["ridgecv_split", "ridge_split", "pls_split", "linear_predictivity_split"]:
        results[name] = {"registry_name": name, "split": "inputs.fixed_train_test_split",
                         **run_train_test(load_metric(name), **parts)}
    results["ridgecv_split"]["alpha_grid"] = [f(a) for a in ALPHA_LIST]

    consistency, ceiling = run_internal_consistency(repetition)

    # explained_variance as the neural benchmarks apply it
    ceiled = {}
    for name in ["pls", "ridge", "linear_predictivity"]:
        metric = load_metric(name, crossvalidation_kwargs=dict(stratification_coord="object_name"))
        raw_score = metric(features, averaged)
        assert f(raw_score.values) == results[name]["value"]
        ceiled_score = explained_variance(raw_score, ceiling)
        ceiled[name] = {"value": f(ceiled_score.values), "error": error_of(ceiled_score),
                        "raw": f(ceiled_score.raw.values), "raw_error": error_of(ceiled_score.raw),
                        "ceiling": f(ceiled_score.attrs["ceiling"].values)}

    # end to end: a NeuralBenchmark with precomputed features (the MajajHong2015 recipe)
    similarity_metric = load_metric("pls", crossvalidation_kwargs=dict(stratification_coord="object_name"))
    benchmark = NeuralBenchmark(identifier="DynamicVisionReference.IT-pls", version=1, assembly=averaged,
                                similarity_metric=similarity_metric, visual_degrees=VISUAL_DEGREES,
                                number_of_trials=50, parent="IT", bibtex=None,
                                ceiling_func=lambda: load_ceiling("internal_consistency")(repetition))
    candidate = PrecomputedFeatures(features, visual_degrees=VISUAL_DEGREES)
    end_to_end = benchmark(candidate)
    end_to_end_result = {"value": f(end_to_end.values), "error": error_of(end_to_end),
                         "raw": f(end_to_end.raw.values), "ceiling": f(end_to_end.attrs["ceiling"].values),
                         "ceiling_error": error_of(end_to_end.attrs["ceiling"])}
    assert end_to_end_result["value"] == ceiled["pls"]["value"]
    assert end_to_end_result["ceiling"] == consistency["value"]

    similarity = {}
    for name in ["rdm", "cka", "cka_biased"]:
        score = load_metric(name)(features, averaged)
        similarity[name] = {"registry_name": name, "value": f(score.values)}
    splits_similarity: list = []
    for name in ["rdm_cv", "cka_cv"]:
        metric = load_metric(name)
        record_build_splits(metric._cross_validation._cross_validation._split, splits_similarity, "object_name")
        score = metric(features, averaged)
        similarity[name] = {"registry_name": name, "value": f(score.values), "error": error_of(score),
                            "per_split": floats(score.raw.sortby("split").values),
                            "splits": "splits.similarity_cv"}
    similarity_cv = same_splits(splits_similarity)

    neural_inputs = {
        "neural_repetitions": {
            "description": "repetition-resolved neural responses, presentation x neuroid, rows in the order "
                           "given to Brain-Score; scalar time bin (70, 170) squeezed away",
            "presentation": {"stimulus_id": strs(repetition["stimulus_id"].values),
                             "object_name": strs(repetition["object_name"].values),
                             "repetition": ints(repetition["repetition"].values)},
            "neuroid": {"neuroid_id": strs(repetition["neuroid_id"].values),
                        "region": strs(repetition["region"].values)},
            "values": floats(repetition.values),
        },
        "neural_averaged": {
            "description": "output of brainscore_vision.benchmark_helpers.neural_common.average_repetition on "
                           "neural_repetitions (mean over repetitions, grouped by all presentation coords but "
                           "repetition); this is the target of every neural metric here",
            "presentation": {"stimulus_id": strs(averaged["stimulus_id"].values),
                             "object_name": strs(averaged["object_name"].values)},
            "neuroid": {"neuroid_id": strs(averaged["neuroid_id"].values),
                        "region": strs(averaged["region"].values)},
            "values": floats(averaged.values),
        },
        "model_features": {
            "description": "model features, presentation x neuroid (feature), rows in the order given to "
                           "Brain-Score; the source of every neural metric here",
            "presentation": {"stimulus_id": strs(features["stimulus_id"].values),
                             "object_name": strs(features["object_name"].values)},
            "neuroid": {"neuroid_id": strs(features["neuroid_id"].values),
                        "layer": strs(features["layer"].values)},
            "values": floats(features.values),
        },
        "fixed_train_test_split": {"train_stimulus_ids": sorted(train_ids), "test_stimulus_ids": sorted(test_ids)},
    }
    for record in (regression_cv, similarity_cv):
        for split in record["splits"]:
            split["train_stimulus_ids"] = sorted(record["split_coord_values"][k] for k in split["train_indices"])
            split["test_stimulus_ids"] = sorted(record["split_coord_values"][k] for k in split["test_indices"])
    splits = {
        "regression_cv": {
            "used_by": ["regression.pls", "regression.ridge", "regression.linear_predictivity",
                        "regression.ridgecv_crossvalidated_composed"],
            "generator": "sklearn StratifiedShuffleSplit(n_splits=10, train_size=0.9, test_size=None, "
                         "random_state=1).split(np.zeros(n), stratification_values); indices index "
                         "split_coord_values (the target assembly's stimulus_id order)",
            **regression_cv},
        "similarity_cv": {
            "used_by": ["similarity.rdm_cv", "similarity.cka_cv"],
            "generator": "sklearn StratifiedShuffleSplit(n_splits=10, train_size=None, test_size=0.9, "
                         "random_state=1).split(np.zeros(n), stratification_values); the metric is computed "
                         "on the *test* part only; indices index split_coord_values (target order)",
            **similarity_cv},
    }
    neural = {
        "regression": results,
        "internal_consistency": consistency,
        "explained_variance": ceiled,
        "neural_benchmark_end_to_end": {
            "construction": "NeuralBenchmark(similarity_metric=load_metric('pls', crossvalidation_kwargs="
                            "dict(stratification_coord='object_name')), ceiling_func=internal_consistency on "
                            "neural_repetitions) called on PrecomputedFeatures(model_features)",
            **end_to_end_result},
        "similarity": similarity,
    }
    return neural_inputs, splits, neural


# ---------------------------------------------------------------------------- behaviour inputs

def make_behaviour_inputs(rng: np.random.Generator) -> dict:
    objects = BEHAVIOUR_OBJECTS
    n_images = len(objects) * IMAGES_PER_OBJECT_BEHAVIOUR
    image_ids = [hex_id("obj", k) for k in range(n_images)]
    truth = [objects[k // IMAGES_PER_OBJECT_BEHAVIOUR] for k in range(n_images)]
    difficulty = np.exp(rng.normal(0, 0.6, size=n_images))
    confusability = rng.uniform(0.04, 0.3, size=(len(objects), len(objects)))
    confusability = (confusability + confusability.T) / 2
    image_pair = np.exp(rng.normal(0, 0.4, size=(n_images, len(objects))))

    records = []
    error_rate = np.zeros((n_images, len(objects)))
    for i in range(n_images):
        t = objects.index(truth[i])
        for d, distractor in enumerate(objects):
            if d == t:
                continue
            error_rate[i, d] = p_error = min(0.7, difficulty[i] * confusability[t, d] * image_pair[i, d])
            for _ in range(TRIALS_PER_IMAGE_DISTRACTOR):
                wrong = rng.random() < p_error
                records.append((i, d, d if wrong else t))
    order = rng.permutation(len(records))
    records = [records[k] for k in order]

    # model class probabilities: the correct object favoured, confusions a noisy copy of the human ones
    logits = np.log(error_rate + 0.01) + rng.normal(0, 0.8, size=error_rate.shape)
    for i in range(n_images):
        logits[i, objects.index(truth[i])] = 1.0 + rng.normal(0, 0.3)
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    model_order = rng.permutation(n_images)
    return {"objects": objects, "image_ids": image_ids, "truth": truth, "records": records,
            "model_order": [int(k) for k in model_order], "probabilities": probabilities[model_order]}


def build_behaviour_assemblies(inputs: dict):
    objects, image_ids, truth = inputs["objects"], inputs["image_ids"], inputs["truth"]
    stimulus_set = StimulusSet(pd.DataFrame({"stimulus_id": image_ids, "object_name": truth}))
    stimulus_set.identifier = "dynamic-vision-reference-objectome"
    records = inputs["records"]
    choices = [objects[c] for _, _, c in records]
    human = BehavioralAssembly(
        np.array(choices, dtype=object),
        coords={"stimulus_id": ("presentation", [image_ids[i] for i, _, _ in records]),
                "sample_obj": ("presentation", [truth[i] for i, _, _ in records]),
                "dist_obj": ("presentation", [objects[d] for _, d, _ in records]),
                "choice": ("presentation", choices),
                "truth": ("presentation", [truth[i] for i, _, _ in records])},
        dims=["presentation"])
    human["correct"] = human["choice"] == human["sample_obj"]  # as rajalingham2018's load_assembly does
    human.attrs["stimulus_set"] = stimulus_set
    human.attrs["stimulus_set_identifier"] = stimulus_set.identifier
    probabilities = BehavioralAssembly(
        inputs["probabilities"],
        coords={"stimulus_id": ("presentation", [image_ids[k] for k in inputs["model_order"]]),
                # a second presentation coord keeps 'presentation' a MultiIndex (as the stimulus-set merge
                # of a real model's output does); a lone coord would become the dimension's plain index
                "object_name": ("presentation", [truth[k] for k in inputs["model_order"]]),
                "choice": ("choice", list(objects))},
        dims=["presentation", "choice"])
    return stimulus_set, human, probabilities


class RecordingRandomState:
    """Forwards to Brain-Score's own RandomState and records every permutation that ``shuffle`` makes."""

    def __init__(self, random_state, sink: list):
        self._random_state = random_state
        self._sink = sink

    def shuffle(self, x):
        self._random_state.shuffle(x)
        self._sink.append([int(v) for v in x])

    def __getattr__(self, name):
        return getattr(self._random_state, name)


def instrument_behaviour_metric(metric, sink: list):
    original = metric._initialize_random_state
    metric._initialize_random_state = lambda: RecordingRandomState(original(), sink)


def matrix(assembly, collapse: bool) -> dict:
    if collapse:
        assembly = assembly.sortby("stimulus_id")
        return {"stimulus_id": strs(assembly["stimulus_id"].values), "values": floats(assembly.values)}
    assembly = assembly.sortby("stimulus_id").sortby("choice").transpose("presentation", "choice")
    return {"stimulus_id": strs(assembly["stimulus_id"].values), "choice": strs(assembly["choice"].values),
            "values": floats(assembly.values)}


def behaviour_metric_reference(name: str, factory, human, probabilities, stimulus_set) -> dict:
    collapse = name != "i2n"
    metric = factory()
    shuffles_score, shuffles_ceiling = [], []
    instrument_behaviour_metric(metric, shuffles_score)
    score = metric(probabilities.copy(), human)
    ceiling_metric = factory()
    instrument_behaviour_metric(ceiling_metric, shuffles_ceiling)
    ceiling = ceiling_metric.ceiling(human)
    assert shuffles_score == shuffles_ceiling, "score and ceiling drew different trial halves"

    # the ceiled value, exactly as the Rajalingham2018 benchmark forms it
    benchmark = object.__new__(_DicarloRajalingham2018)
    benchmark._metric = factory()
    per_split_ceiled: list = []
    original_aggregate = benchmark._metric.aggregate

    def aggregate(scores):
        per_split_ceiled.extend(floats(scores.sortby("split").values))
        return original_aggregate(scores)

    benchmark._metric.aggregate = aggregate
    ceiled = benchmark.ceil_score(score, ceiling)

    # intermediates through the metric's own methods, in the order its _repeat uses them
    helper = factory()
    source = probabilities.copy()
    helper.add_source_meta(source, human)
    source_matrix = helper.dprimes(helper.target_distractor_scores(source))
    if collapse:
        source_matrix = helper.collapse_distractors(source_matrix)
    random_state = helper._initialize_random_state()
    halves_matrices = []
    n = len(human)
    for split in range(helper._repetitions):
        halves = helper.generate_halves(human, random_state=random_state)
        permutation = shuffles_ceiling[split]
        assert strs(halves[0]["stimulus_id"].values) == strs(human["stimulus_id"].values[permutation[:n // 2]])
        assert strs(halves[1]["stimulus_id"].values) == strs(human["stimulus_id"].values[permutation[n // 2:]])
        dprime_halves = []
        for half in halves:
            half_matrix = helper.dprimes(helper.build_response_matrix_from_responses(half))
            if collapse:
                half_matrix = helper.collapse_distractors(half_matrix)
            dprime_halves.append(half_matrix)
        assert f(helper.correlate(*dprime_halves, collapse_distractors=collapse)) == \
            f(ceiling.raw.sel(split=split).values)
        assert f(helper.correlate(source_matrix, dprime_halves[0], collapse_distractors=collapse)) == \
            f(score.raw.sel(split=split).values)
        halves_matrices.append([matrix(m, collapse) for m in dprime_halves])

    result = {
        "registry_name": {"i2n": "i2n", "i1": "i1", "i1n": None}[name],
        "construction": {"i2n": "load_metric('i2n')", "i1": "load_metric('i1') (= I1: not normalised)",
                         "i1n": "brainscore_vision.metrics.i1i2.metric.I1n() (not registered in 2.4.2)"}[name],
        "score": {"value": f(score.values), "error": error_of(score),
                  "per_split": floats(score.raw.sortby("split").values)},
        "ceiling": {"value": f(ceiling.values), "error": error_of(ceiling),
                    "per_split": floats(ceiling.raw.sortby("split").values)},
        "ceiled": {"value": f(ceiled.values), "error": error_of(ceiled), "per_split": per_split_ceiled},
        "trial_halves": "behaviour.trial_halves",
        "source_dprime": matrix(source_matrix, collapse),
        "human_half_dprimes_per_split": halves_matrices,
    }
    if name == "i2n":
        # end to end: the benchmark's __call__ with a precomputed-probabilities model
        e2e = object.__new__(_DicarloRajalingham2018)
        e2e._metric = factory()
        e2e._fitting_stimuli = stimulus_set
        e2e._assembly = human
        e2e._visual_degrees = VISUAL_DEGREES
        e2e._number_of_trials = 2
        BenchmarkBase.__init__(e2e, identifier="DynamicVisionReference-i2n", version=1, parent="behavior",
                               bibtex=None, ceiling_func=lambda: e2e._metric.ceiling(e2e._assembly))
        candidate = PrecomputedFeatures(probabilities.copy(), visual_degrees=VISUAL_DEGREES)
        end_to_end = e2e(candidate)
        result["benchmark_end_to_end"] = {"value": f(end_to_end.values), "error": error_of(end_to_end),
                                          "ceiling": f(end_to_end.attrs["ceiling"].values)}
        # look_at hands the probabilities over in stimulus-set order, which changes the summation order
        # of the per-object means: equal to the component-level value up to the last bits
        assert abs(result["benchmark_end_to_end"]["value"] - result["ceiled"]["value"]) < 1e-12
        assert result["benchmark_end_to_end"]["ceiling"] == result["ceiling"]["value"]
    return result, shuffles_ceiling


def behaviour_reference(inputs: dict) -> tuple[dict, dict]:
    stimulus_set, human, probabilities = build_behaviour_assemblies(inputs)
    out = {}
    shuffles = None
    for name, factory in [("i2n", lambda: load_metric("i2n")), ("i1", lambda: load_metric("i1")),
                          ("i1n", lambda: I1n())]:
        out[name], these = behaviour_metric_reference(name, factory, human, probabilities, stimulus_set)
        assert shuffles is None or shuffles == these
        shuffles = these
    n = len(human)
    out["trial_halves"] = {
        "description": "per split (repetition of the metric), the permutation of trial indices that "
                       "RandomState(seed=0).shuffle produced (one RandomState for both splits, drawn in order); "
                       "half1 = first int(n/2) trials of the permutation, half2 = the rest. The score uses "
                       "half1 only; the ceiling correlates half1 with half2",
        "n_trials": n,
        "per_split": [{"half1_trial_indices": p[: n // 2], "half2_trial_indices": p[n // 2:]} for p in shuffles],
    }
    behaviour_inputs = {
        "objects": list(inputs["objects"]),
        "images": {"stimulus_id": list(inputs["image_ids"]), "truth": list(inputs["truth"])},
        "human_trials": {
            "description": "BehavioralAssembly over 'presentation' (one trial each) whose values are the "
                           "chosen object; coords stimulus_id = images.stimulus_id[image_index], sample_obj = "
                           "truth = images.truth[image_index], dist_obj = objects[dist_obj_index], choice = "
                           "objects[choice_index] (also the value), correct = (choice == sample_obj); trials in "
                           "the order given to Brain-Score (trial index = position in these lists)",
            "image_index": [int(i) for i, _, _ in inputs["records"]],
            "dist_obj_index": [int(d) for _, d, _ in inputs["records"]],
            "choice_index": [int(c) for _, _, c in inputs["records"]],
        },
        "model_probabilities": {
            "description": "BehavioralAssembly presentation x choice of class probabilities (rows sum to 1), "
                           "rows in the order given to Brain-Score",
            "stimulus_id": strs(probabilities["stimulus_id"].values),
            "object_name": strs(probabilities["object_name"].values),
            "choice": strs(probabilities["choice"].values),
            "values": floats(probabilities.values),
        },
    }
    return behaviour_inputs, out


# ----------------------------------------------------------------------------------- JSON output

def dump(value, indent: int = 0) -> str:
    """JSON with one line per list of scalars (or list of lists of scalars), so diffs stay readable."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f'{pad}  {json.dumps(str(k))}: {dump(v, indent + 2)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return "[" + ",".join(dump(v) for v in value) + "]"
        if all(isinstance(v, list) and all(not isinstance(w, (dict, list)) for w in v) for v in value):
            return "[\n" + ",\n".join(f"{pad}  {dump(v)}" for v in value) + f"\n{pad}]"
        return "[\n" + ",\n".join(f"{pad}  {dump(v, indent + 2)}" for v in value) + f"\n{pad}]"
    if isinstance(value, float):
        assert math.isfinite(value), value
        return repr(value)
    if isinstance(value, (bool, int, str)) or value is None:
        return json.dumps(value)
    raise TypeError(type(value))


def main(output: str) -> None:
    rng = np.random.default_rng(SEED)
    neural_raw = make_neural_inputs(rng)
    behaviour_raw = make_behaviour_inputs(rng)
    neural_inputs, splits, neural = neural_reference(neural_raw)
    behaviour_inputs, behaviour = behaviour_reference(behaviour_raw)

    packages = ["brainscore-vision", "brainscore-core", "numpy", "scipy", "scikit-learn", "pandas", "xarray"]
    document = {
        "meta": {
            "description": "Reference values computed by Brain-Score's own code (brainscore_vision 2.4.2) on "
                           "seeded synthetic data; written by tests/reference/brainscore_vision/"
                           "make_reference.py. See README.md next to this file for the algorithms.",
            "packages": {p: importlib.metadata.version(p) for p in packages},
            "python": platform.python_version(),
            "brainscore_vision_file": os.path.relpath(brainscore_vision.__file__, sys.prefix),
            "seed": SEED,
            "conventions": "0-based indices; arrays in the order given to Brain-Score; floats are Python repr "
                           "of IEEE doubles; null = NaN; an 'error' is Brain-Score's score.attrs['error']",
        },
        "inputs": {**neural_inputs, "behaviour": behaviour_inputs},
        "splits": splits,
        "regression": neural["regression"],
        "internal_consistency": neural["internal_consistency"],
        "explained_variance": neural["explained_variance"],
        "neural_benchmark_end_to_end": neural["neural_benchmark_end_to_end"],
        "similarity": neural["similarity"],
        "behaviour": behaviour,
    }
    text = dump(document) + "\n"
    json.loads(text)  # valid JSON
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(text)


if __name__ == "__main__":
    main(sys.argv[1])
