"""The behavioural kind: the model learns the task on public stimuli, is tested on held-out ones."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from PIL import Image

from dynamic_vision.io.assemblies import behavioral_assembly
from dynamic_vision.benchmark_kinds import BehaviorBenchmark
from dynamic_vision.core.scores import Score
from dynamic_vision.io.stimuli import StimulusSet
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
    benchmark = BehaviorBenchmark("Toy.direction-agreement", assembly=trials, stimuli=stimuli,
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
    result = BehaviorBenchmark("Toy.direction-ceiled", **kwargs)(
        TableModel("m", {"f": lambda row: features(row, True)}))
    assert result.ceiling == pytest.approx(0.8)
    assert result.value == pytest.approx(result.raw / np.sqrt(0.8))
    assert BehaviorBenchmark("Toy.direction-ceiled", **kwargs).ceiling.value == 0.8
    assert len(calls) == 1


def test_i2n_ranks_the_model_with_human_image_difficulty_first(tmp_path):
    """Trials from subjects whose accuracy varies from image to image; a model whose evidence
    follows the same difficulty has a higher I2n consistency than one with other difficulties."""
    from dynamic_vision.statistics.ceilings import behavioral_ceiling
    from dynamic_vision.metric_kinds.behavior import signature_of

    rng = np.random.default_rng(0)
    labels = ["a", "b", "c"]
    files, rows, difficulty = {}, [], {}
    for label in labels:
        for k in range(24):
            sid = f"{label}{k}"
            path = tmp_path / f"{sid}.png"
            Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(path)
            files[sid] = path
            rows.append({"stimulus_id": sid, "label": label})
            difficulty[sid] = rng.uniform(0.35, 0.98)  # human accuracy on this image
    stimuli = StimulusSet.from_files(files, identifier="toy-i2n", metadata=pd.DataFrame(rows))
    ids, choices, truth, subjects = [], [], [], []
    for row in rows:
        for trial in range(40):
            correct = rng.random() < difficulty[row["stimulus_id"]]
            wrong = [x for x in labels if x != row["label"]]
            ids.append(row["stimulus_id"])
            truth.append(row["label"])
            choices.append(row["label"] if correct else wrong[rng.integers(2)])
            subjects.append(f"s{trial % 8}")
    trials = behavioral_assembly(stimulus_id=ids, choice=choices, label=truth, subject=subjects)

    def evidence(strength):
        def layer(row):
            noise = np.random.default_rng(abs(hash(row["stimulus_id"])) % 2**32)
            return np.eye(3)[labels.index(row["label"])] * strength(row) + \
                0.05 * noise.standard_normal(3)
        return layer

    other = {sid: rng.uniform(0.35, 0.98) for sid in difficulty}
    benchmark = BehaviorBenchmark(
        "Toy.objects-i2n", assembly=trials, stimuli=stimuli, metric="i2n",
        ceiling=lambda t: behavioral_ceiling(t, signature_of("i2n"), split_coord="subject"),
        bibtex="@misc{toy}")
    human_like = benchmark(TableModel("human-like", {
        "f": evidence(lambda row: 4 * difficulty[row["stimulus_id"]] - 1.2)}))
    unrelated = benchmark(TableModel("unrelated", {
        "f": evidence(lambda row: 4 * other[row["stimulus_id"]] - 1.2)}))
    assert 0.3 < human_like.ceiling < 1.0
    assert human_like.raw > unrelated.raw + 0.2, (human_like, unrelated)
    assert human_like.value == pytest.approx(human_like.raw / np.sqrt(human_like.ceiling))
