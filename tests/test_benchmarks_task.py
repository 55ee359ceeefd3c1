"""The engineering-task kind: a cross-validated linear probe, chance level, per-condition scores."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from dynamic_vision.benchmark_kinds import TaskBenchmark
from dynamic_vision.benchmark_kinds.task import PROBE_CS, cross_validated_probe
from dynamic_vision.io.stimuli import StimulusSet
from dynamic_vision.testing.benchmark_checks import TableModel

DIRECTIONS = [0, 90, 180, 270]
COHERENCES = [0.0, 0.25, 1.0]
PER_CELL = 12


@pytest.fixture(scope="module")
def stimuli(tmp_path_factory):
    folder = tmp_path_factory.mktemp("task-stimuli")
    files, rows = {}, []
    for d in DIRECTIONS:
        for c in COHERENCES:
            for k in range(PER_CELL):
                sid = f"dots_d{d}_c{c}_{k}"
                path = folder / f"{sid}.png"
                Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(path)
                files[sid] = path
                rows.append({"stimulus_id": sid, "label": str(d), "coherence": c})
    return StimulusSet.from_files(files, identifier="toy-dots", metadata=pd.DataFrame(rows),
                                  image_duration_ms=500.0)


def noise(row, n=8, seed=0):
    digest = hashlib.sha256(f"{seed}:{row['stimulus_id']}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little")).standard_normal(n)


def direction_signal(row):
    """A direction code whose strength grows with coherence, plus stimulus-specific noise."""
    angle = np.deg2rad(float(row["label"]))
    signal = np.array([np.cos(angle), np.sin(angle)] * 4)
    return 3.0 * row["coherence"] * signal + noise(row)


def benchmark_of(stimuli, **kwargs):
    return TaskBenchmark("Toy.direction-logistic", stimuli=stimuli, condition="coherence",
                         region="MT", bibtex="@misc{toy}", **kwargs)


def test_input_independent_model_is_at_chance(stimuli):
    benchmark = benchmark_of(stimuli)
    constant = TableModel("constant", {"f": lambda row: np.ones(8)})
    result = benchmark(constant)
    assert result.provenance["chance"] == pytest.approx(0.25)
    assert result.value == pytest.approx(0.25, abs=0.1)
    assert result.convention == "none" and result.ceiling == 1.0
    random = TableModel("random", {"f": noise})
    assert benchmark(random).value == pytest.approx(0.25, abs=0.13)


def test_accuracy_rises_with_coherence(stimuli):
    result = benchmark_of(stimuli)(TableModel("signal", {"f": direction_signal}))
    per_coherence = result.detail["coherence_raw"]
    assert list(per_coherence["coherence"].values) == COHERENCES
    values = per_coherence.values
    assert values[0] < 0.45 and values[2] > 0.9, values
    assert values[0] < values[1] < values[2]
    assert result.detail["coherence_n"].values.tolist() == [PER_CELL * 4 // 2] * 3


def test_probe_matches_scikit_learn_grid_search():
    rng = np.random.default_rng(0)
    labels = np.repeat(["a", "b", "c"], 20)
    features = rng.standard_normal((60, 5)) + (labels == "a")[:, None] * 1.5
    ours = cross_validated_probe(features, labels, n_splits=5, seed=0)
    search = GridSearchCV(LogisticRegression(max_iter=1000), {"C": list(PROBE_CS)},
                          cv=StratifiedKFold(3, shuffle=True, random_state=0))
    with threadpool_limits(limits=1, user_api="blas"):
        reference = cross_val_predict(make_pipeline(StandardScaler(), search), features, labels,
                                      cv=StratifiedKFold(5, shuffle=True, random_state=0))
    np.testing.assert_array_equal(ours, reference)


def test_regression_probe_recovers_a_linear_label():
    rng = np.random.default_rng(1)
    features = rng.standard_normal((80, 6))
    target = features @ rng.standard_normal(6) + 0.1 * rng.standard_normal(80)
    predictions = cross_validated_probe(features, target, kind="regression")
    assert np.corrcoef(predictions, target)[0, 1] > 0.95


def test_layer_selection_uses_public_stimuli(stimuli):
    benchmark = benchmark_of(stimuli)
    model = TableModel("layered", {"noise": noise, "signal": direction_signal,
                                   "constant": lambda row: np.ones(8)})
    result = benchmark(model)
    assert result.detail.attrs["selected_layer"] == "signal"
    assert result.detail["layer_raw"].sel(layer="signal") > 0.5
    held = set(benchmark.split.held_out)
    assert set(result.detail["stimulus_id"].values) == held


def test_too_few_stimuli_per_label_is_explained(stimuli):
    small = stimuli.subset(list(stimuli["stimulus_id"][::12]))
    benchmark = TaskBenchmark("Toy.direction-logistic", stimuli=small, held_out_fraction=None,
                              bibtex="@misc{toy}")
    with pytest.raises(ValueError, match="at least 5 stimuli of every label"):
        benchmark(TableModel("signal", {"f": direction_signal}))
