"""The behavioural kind: the model learns the task on public stimuli, is tested on held-out ones."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from PIL import Image

from dynamic_vision.assemblies import behavioral_assembly
from dynamic_vision.benchmarking import BehaviourBenchmark
from dynamic_vision.scores import Score
from dynamic_vision.stimuli import StimulusSet
from dynamic_vision.testing.benchmark_checks import TableModel

LABELS = ["left", "right", "up"]
PER_LABEL = 16


@pytest.fixture(scope="module")
def stimuli(tmp_path_factory):
    folder = tmp_path_factory.mktemp("behaviour-stimuli")
    files, rows = {}, []
    for label in LABELS:
        for k in range(PER_LABEL):
            sid = f"{label}_{k}"
            path = folder / f"{sid}.png"
            Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(path)
            files[sid] = path
            rows.append({"stimulus_id": sid, "label": label, "difficulty": k % 4})
    return StimulusSet.from_files(files, identifier="toy-behaviour", metadata=pd.DataFrame(rows))


@pytest.fixture(scope="module")
def trials(stimuli):
    """Subjects are right except on the hardest stimuli (difficulty 3), where they say 'up'."""
    ids, choices, labels, subjects = [], [], [], []
    for _, row in stimuli.iterrows():
        for subject in range(4):
            ids.append(row["stimulus_id"])
            labels.append(row["label"])
            choices.append("up" if row["difficulty"] == 3 else row["label"])
            subjects.append(f"s{subject}")
    return behavioral_assembly(stimulus_id=ids, choice=choices, label=labels, subject=subjects)


def agreement(model: xr.DataArray, trials: xr.DataArray) -> Score:
    """Fraction of held-out stimuli where the model's likeliest choice is the subjects' mode."""
    ids = model["stimulus_id"].values
    model_choice = model["choice"].values[model.values.argmax(axis=1)]
    human = pd.Series(trials.values, index=trials["stimulus_id"].values).groupby(level=0).agg(
        lambda c: c.mode()[0])
    return Score.from_raw(float(np.mean(model_choice == human.loc[ids].values)))


def features(row, human_like: bool):
    digest = hashlib.sha256(row["stimulus_id"].encode()).digest()
    noise = np.random.default_rng(int.from_bytes(digest[:8], "little")).standard_normal(3) * 0.1
    seen = "up" if human_like and row["difficulty"] == 3 else row["label"]
    return np.eye(3)[LABELS.index(seen)] * 2 + noise


def test_human_like_model_agrees_and_fits_on_public_stimuli_only(stimuli, trials):
    benchmark = BehaviourBenchmark("Toy.direction-agreement", assembly=trials, stimuli=stimuli,
                                   metric=agreement, bibtex="@misc{toy}")
    human_like = TableModel("human-like", {"f": lambda row: features(row, True)})
    perfect = TableModel("perfect", {"f": lambda row: features(row, False)})
    human_score = benchmark(human_like)
    perfect_score = benchmark(perfect)
    assert human_score.value > 0.9
    assert perfect_score.value == pytest.approx(5 / 6, abs=0.06)  # wrong where humans err
    assert human_like.looked_at == [len(benchmark.split.held_out)]
    assert not set(benchmark.split.public) & set(benchmark.split.held_out)
    assert human_score.provenance["n_fitting_stimuli"] == len(benchmark.split.public)


def test_ceiling_is_applied_and_cached(stimuli, trials):
    calls = []

    def ceiling(held_trials):
        calls.append(len(held_trials))
        return Score.from_raw(0.8)

    kwargs = dict(assembly=trials, stimuli=stimuli, metric=agreement, ceiling=ceiling)
    result = BehaviourBenchmark("Toy.direction-ceiled", **kwargs)(
        TableModel("m", {"f": lambda row: features(row, True)}))
    assert result.ceiling == pytest.approx(0.8)
    assert result.value == pytest.approx(result.raw / 0.8)
    assert BehaviourBenchmark("Toy.direction-ceiled", **kwargs).ceiling.value == 0.8
    assert len(calls) == 1
