"""The exact Brain-Score mode against Brain-Score's own numbers (brainscore-vision 2.4.2).

``tests/reference/brainscore_vision/brainscore_vision_2.4.2.json`` was written by Brain-Score's
own code on seeded synthetic data (``make_reference.sh``). Every item is recomputed here through
the library's public pieces — the ``brainscore.*`` metrics, Brain-Score's internal-consistency
ceiling, the ceiling conventions and a :class:`NeuralBenchmark` — once on the splits and halves
Brain-Score drew (given explicitly) and once on the library's own draws, and must agree to 1e-9.

``python -m tests.test_brainscore_exact`` prints the largest difference of every item.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

REFERENCE = Path(__file__).parent / "reference" / "brainscore_vision" / \
    "brainscore_vision_2.4.2.json"
TOLERANCE = 1e-9
#: The reference data have 50 stimuli: Brain-Score's 90/10 splits test 5 of them. The library
#: refuses fewer than 10 test stimuli unless told otherwise, as here.
FEW = {"min_test_stimuli": 5}


@cache
def reference() -> dict:
    return json.loads(REFERENCE.read_text())


def _floats(values) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] if isinstance(row, list)
                     else (np.nan if row is None else row) for row in values], dtype=np.float64)


def _neural(name: str) -> xr.DataArray:
    data = reference()["inputs"][name]
    presentation = {key: ("presentation", values) for key, values in data["presentation"].items()}
    neuroid = {key: ("neuroid", values) for key, values in data["neuroid"].items()}
    return xr.DataArray(_floats(data["values"]), dims=("presentation", "neuroid"),
                        coords={**presentation, **neuroid})


def _explicit(record: dict):
    from dynamic_vision.statistics.splits import ExplicitSplits

    return ExplicitSplits([(s["train_stimulus_ids"], s["test_stimulus_ids"])
                           for s in record["splits"]])


def _trials() -> tuple[xr.DataArray, xr.DataArray]:
    behaviour = reference()["inputs"]["behaviour"]
    objects = np.array(behaviour["objects"])
    images = np.array(behaviour["images"]["stimulus_id"])
    truth = np.array(behaviour["images"]["truth"])
    trials = behaviour["human_trials"]
    image = np.asarray(trials["image_index"])
    choice = objects[trials["choice_index"]]
    human = xr.DataArray(choice, dims="presentation", coords={
        "stimulus_id": ("presentation", images[image]),
        "label": ("presentation", truth[image]),
        "distractor": ("presentation", objects[trials["dist_obj_index"]]),
        "choice": ("presentation", choice)})
    probabilities = behaviour["model_probabilities"]
    model = xr.DataArray(_floats(probabilities["values"]), dims=("presentation", "choice"),
                         coords={"stimulus_id": ("presentation", probabilities["stimulus_id"]),
                                 "choice": ("choice", probabilities["choice"])})
    return model, human


def _by_neuroid(values: xr.DataArray, record: dict) -> np.ndarray:
    """Our (split, neuroid) values in the order of the reference's neuroid ids."""
    order = [list(values["neuroid_id"].values).index(n) for n in record["neuroid_id"]]
    return np.asarray(values.values)[..., order]


def _diff(ours, theirs) -> float:
    ours, theirs = np.asarray(ours, dtype=np.float64), _floats(np.atleast_1d(theirs).tolist())
    ours = ours.reshape(theirs.shape)
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), "NaN patterns differ"
    finite = ~np.isnan(theirs)
    return float(np.max(np.abs(ours[finite] - theirs[finite]))) if finite.any() else 0.0


def _regression_items(differences: dict) -> None:
    from dynamic_vision.core.registry import metric_registry

    data = reference()
    source, target = _neural("model_features"), _neural("neural_averaged")
    splits = _explicit(data["splits"]["regression_cv"])
    names = {"pls": "pls", "ridge": "ridge", "linear_predictivity": "linear_predictivity",
             "ridgecv_crossvalidated_composed": "ridgecv"}
    for key, ours in names.items():
        record = data["regression"][key]
        for how, options in (("given splits", {"splits": splits}), ("drawn splits", {})):
            score = metric_registry.load(f"brainscore.{ours}", **options, **FEW)(source, target)
            item = f"regression.{key} ({how})"
            differences[f"{item}: value"] = _diff(score.raw, record["value"])
            differences[f"{item}: error"] = _diff(score.raw_error, record["error"])
            differences[f"{item}: per-split medians"] = _diff(
                score.detail["split_raw"].values, record["per_split_median_over_neuroids"])
            differences[f"{item}: per-split per-neuroid r"] = _diff(
                _by_neuroid(score.detail["raw"], record["per_split_per_neuroid"]),
                record["per_split_per_neuroid"]["values"])
            if ours == "ridgecv":
                differences[f"{item}: alpha"] = _diff(
                    score.detail["alpha"].values, [s["alpha"] for s in record["per_split"]])
    fixed = data["inputs"]["fixed_train_test_split"]
    one_split = {"splits": _explicit({"splits": [{
        "train_stimulus_ids": fixed["train_stimulus_ids"],
        "test_stimulus_ids": fixed["test_stimulus_ids"]}]})}
    for key, ours in (("ridgecv_split", "ridgecv"), ("ridge_split", "ridge"),
                      ("pls_split", "pls"), ("linear_predictivity_split", "linear_predictivity")):
        record = data["regression"][key]
        score = metric_registry.load(f"brainscore.{ours}", **one_split)(source, target)
        differences[f"regression.{key}: value"] = _diff(score.raw, record["value"])
        differences[f"regression.{key}: per-neuroid r"] = _diff(
            _by_neuroid(score.detail["raw"], record["per_neuroid"])[0],
            record["per_neuroid"]["values"])
        if "alpha" in record:
            differences[f"regression.{key}: alpha"] = _diff(score.detail["alpha"].values[0],
                                                           record["alpha"])


def _ceiling_items(differences: dict) -> None:
    from dynamic_vision.core.registry import metric_registry
    from dynamic_vision.statistics.brainscore.ceilings import internal_consistency

    data = reference()
    repetitions = _neural("neural_repetitions")
    record = data["internal_consistency"]
    given = [(s["half1_repetitions"], s["half2_repetitions"]) for s in record["splits"]["splits"]]
    ceilings = {"given halves": internal_consistency(repetitions, given),
                "drawn halves": internal_consistency(repetitions)}
    for how, ceiling in ceilings.items():
        item = f"internal_consistency ({how})"
        differences[f"{item}: value"] = _diff(ceiling.raw, record["value"])
        differences[f"{item}: error"] = _diff(ceiling.raw_error, record["error"])
        differences[f"{item}: per-split medians"] = _diff(
            ceiling.detail["split_ceiling"].values, record["per_split_median_over_neuroids"])
        for name, key in (("neuroid_consistency",
                           "per_split_per_neuroid_spearman_brown_corrected"),
                          ("neuroid_pearson", "per_split_per_neuroid_uncorrected_pearson")):
            differences[f"{item}: {key}"] = _diff(
                _by_neuroid(ceiling.detail[name], record[key]), record[key]["values"])
    ceiling = ceilings["given halves"]
    source, target = _neural("model_features"), _neural("neural_averaged")
    for key, ours in (("pls", "pls"), ("ridge", "ridge"),
                      ("linear_predictivity", "linear_predictivity")):
        expected = data["explained_variance"][key]
        raw = metric_registry.load(f"brainscore.{ours}", **FEW)(source, target)
        ceiled = raw.ceiled(ceiling, "explained_variance")
        for field, ours_value in (("value", ceiled.value), ("error", ceiled.error),
                                  ("raw", ceiled.raw), ("raw_error", ceiled.raw_error),
                                  ("ceiling", ceiled.ceiling)):
            differences[f"explained_variance.{key}: {field}"] = _diff(ours_value,
                                                                     expected[field])


def _end_to_end_items(differences: dict) -> None:
    """Brain-Score's NeuralBenchmark on precomputed features, as this library's NeuralBenchmark
    with the exact metric, ceiling and convention."""
    from dynamic_vision.benchmark_kinds import NeuralBenchmark
    from dynamic_vision.io.stimuli import StimulusSet
    from dynamic_vision.metric_kinds.brainscore import BrainScoreRegressionMetric
    from dynamic_vision.statistics.brainscore.ceilings import internal_consistency
    from dynamic_vision.testing.benchmark_checks import TableModel

    data = reference()
    repetitions = _neural("neural_repetitions").expand_dims("time_bin", axis=2).assign_coords(
        time_bin_start=("time_bin", [70.0]), time_bin_end=("time_bin", [170.0]))
    ids = sorted(set(repetitions["stimulus_id"].values))
    stimuli = StimulusSet(pd.DataFrame({"stimulus_id": ids, "n_frames": 1, "fps": np.nan,
                                        "duration_ms": 100.0}), identifier="reference-images")
    features = _neural("model_features")
    row_of = {s: k for k, s in enumerate(features["stimulus_id"].values)}
    model = TableModel("reference-features",
                       {"features": lambda row: features.values[row_of[row["stimulus_id"]]]})
    benchmark = NeuralBenchmark(
        "Reference.IT-pls", assembly=repetitions, stimuli=stimuli, region="IT",
        metric=BrainScoreRegressionMetric("pls", min_test_stimuli=5),
        ceiling=internal_consistency, held_out_fraction=None, select_layers=False,
        n_splits=None, min_ceiling=0.0, ceiling_convention="explained_variance",
        bibtex="@misc{reference}")
    score = benchmark(model)
    expected = data["neural_benchmark_end_to_end"]
    for field, ours in (("value", score.value), ("error", score.error), ("raw", score.raw),
                        ("ceiling", score.ceiling), ("ceiling_error", benchmark.ceiling.error)):
        differences[f"neural_benchmark_end_to_end: {field}"] = _diff(ours, expected[field])


def _similarity_items(differences: dict) -> None:
    from dynamic_vision.core.registry import metric_registry

    data = reference()
    source, target = _neural("model_features"), _neural("neural_averaged")
    splits = _explicit(data["splits"]["similarity_cv"])
    for name in ("rdm", "cka", "cka_biased"):
        score = metric_registry.load(f"brainscore.{name}")(source, target)
        differences[f"similarity.{name}: value"] = _diff(score.raw, data["similarity"][name]["value"])
    for name in ("rdm_cv", "cka_cv"):
        record = data["similarity"][name]
        for how, options in (("given splits", {"splits": splits}), ("drawn splits", {})):
            score = metric_registry.load(f"brainscore.{name}", **options)(source, target)
            item = f"similarity.{name} ({how})"
            differences[f"{item}: value"] = _diff(score.raw, record["value"])
            differences[f"{item}: error"] = _diff(score.raw_error, record["error"])
            differences[f"{item}: per split"] = _diff(score.detail["raw"].values,
                                                      record["per_split"])


def _behavior_items(differences: dict) -> None:
    from dynamic_vision.core.registry import metric_registry
    from dynamic_vision.statistics.brainscore.splits import trial_halves

    data = reference()
    model, human = _trials()
    halves = [(h["half1_trial_indices"], h["half2_trial_indices"])
              for h in data["behaviour"]["trial_halves"]["per_split"]]
    drawn = trial_halves(human.sizes["presentation"])
    differences["behaviour.trial_halves (drawn): positions"] = max(
        float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for ours, theirs in
        zip(drawn, halves) for a, b in zip(ours, theirs))
    for name in ("i2n", "i1n", "i1"):
        record = data["behaviour"][name]
        for how, options in (("given halves", {"halves": halves}), ("drawn halves", {})):
            metric = metric_registry.load(f"brainscore.{name}", **options)
            score, ceiling = metric(model, human), metric.ceiling(human)
            ceiled = score.ceiled(ceiling, "disattenuated_per_split")
            item = f"behaviour.{name} ({how})"
            for part, ours in (("score", score), ("ceiling", ceiling), ("ceiled", ceiled)):
                value = ours.value
                error = ours.raw_error if part != "ceiled" else ours.error
                split = {"score": "split_raw", "ceiling": "split_ceiling",
                         "ceiled": "split_ceiled"}[part]
                differences[f"{item}: {part} value"] = _diff(value, record[part]["value"])
                differences[f"{item}: {part} error"] = _diff(error, record[part]["error"])
                differences[f"{item}: {part} per split"] = _diff(ours.detail[split].values,
                                                                 record[part]["per_split"])
            source = record["source_dprime"]
            assert list(score.detail["stimulus_id"].values) == source["stimulus_id"]
            differences[f"{item}: model d' signature"] = _diff(
                score.detail["model_signature"].values, source["values"])
            for k, pair in enumerate(metric.half_signatures(human)):
                for h, half in enumerate(pair):
                    theirs = record["human_half_dprimes_per_split"][k][h]
                    assert list(half.ids) == theirs["stimulus_id"]
                    differences[f"{item}: humans' d' split {k} half {h + 1}"] = _diff(
                        half.values, theirs["values"])
        if name == "i2n":
            end = record["benchmark_end_to_end"]
            differences["behaviour.i2n benchmark_end_to_end: value"] = _diff(ceiled.value,
                                                                             end["value"])
            differences["behaviour.i2n benchmark_end_to_end: error"] = _diff(ceiled.error,
                                                                             end["error"])
            differences["behaviour.i2n benchmark_end_to_end: ceiling"] = _diff(ceiled.ceiling,
                                                                               end["ceiling"])


@cache
def reference_differences() -> dict[str, float]:
    """The largest absolute difference from Brain-Score of every reference item."""
    differences: dict[str, float] = {}
    for items in (_regression_items, _ceiling_items, _end_to_end_items, _similarity_items,
                  _behavior_items):
        items(differences)
    return differences


def test_the_reference_is_brain_scores():
    meta = reference()["meta"]
    assert meta["packages"]["brainscore-vision"] == "2.4.2"
    assert meta["packages"]["brainscore-core"] == "2.5.0"


GROUPS = ("regression.", "internal_consistency", "explained_variance.",
          "neural_benchmark_end_to_end", "similarity.", "behaviour.")


@pytest.mark.parametrize("group", GROUPS)
def test_every_item_matches_brain_score_to_1e_9(group):
    differences = {k: v for k, v in reference_differences().items() if k.startswith(group)}
    assert differences, f"no item of {group}"
    worst = max(differences, key=differences.get)
    assert differences[worst] <= TOLERANCE, f"{worst}: {differences[worst]:.3g}"


def test_every_reference_item_is_compared():
    items = reference_differences()
    regression = {k.split(" ")[0].split(":")[0] for k in items if k.startswith("regression.")}
    assert regression == {f"regression.{k}" for k in reference()["regression"]}
    similarity = {k.split(" ")[0].split(":")[0] for k in items if k.startswith("similarity.")}
    assert similarity == {f"similarity.{k}" for k in reference()["similarity"]}
    for name in ("i2n", "i1n", "i1"):
        assert f"behaviour.{name} (given halves): ceiled value" in items
    assert "behaviour.trial_halves (drawn): positions" in items
    assert len(items) > 150


def test_the_guard_refuses_brain_scores_five_test_stimuli_unless_told():
    from dynamic_vision.core.errors import ScoreGuardError
    from dynamic_vision.core.registry import metric_registry

    with pytest.raises(ScoreGuardError, match="holds 5 stimuli.*min_test_stimuli"):
        metric_registry.load("brainscore.pls")(_neural("model_features"),
                                               _neural("neural_averaged"))


if __name__ == "__main__":
    for key, value in reference_differences().items():
        print(f"{value:9.2e}  {key}")
