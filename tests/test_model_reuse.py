"""``reusing_models``: consecutive scores of one registered model build it once, state reset."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from dynamic_vision.cli import main
from dynamic_vision.core.benchmark import Benchmark
from dynamic_vision.core.brain_model import BrainModelBase
from dynamic_vision.core.registry import REGISTRIES
from dynamic_vision.core.scores import Score
from dynamic_vision.scoring import reusing_models, score


class CountingModel(BrainModelBase):
    """Responses are the stimulus index times ``gain``; counts how often it is built."""

    built = 0

    def __init__(self, gain: float = 1.0):
        super().__init__()
        CountingModel.built += 1
        self.identifier, self.gain = "counting-model", float(gain)

    layers = ("only",)

    def visual_degrees(self) -> float:
        return 8.0

    def default_layers(self, region):
        return ["only"]

    def record(self, stimuli, region, time_bins, layers):
        values = self.gain * np.arange(len(stimuli), dtype=float)[:, None, None]
        return xr.DataArray(values, dims=("presentation", "neuroid", "time_bin"),
                            coords={"stimulus_id": ("presentation", list(stimuli))})

    def task_features(self, stimuli):
        return np.arange(len(stimuli), dtype=float)[:, None]


class Recording(Benchmark):
    identifier, version = "Reuse.recording", 1

    def __call__(self, candidate) -> Score:
        candidate.start_recording("V1", [(0, 100)])
        values = candidate.look_at(["a", "b", "c"]).values
        return Score.from_raw(float(values[-1, 0, 0]) / 10, 0.0)


class Forgetful(Benchmark):
    """Looks without starting a recording: a newly built model refuses, so must a reused one."""

    identifier, version = "Reuse.forgetful", 1

    def __call__(self, candidate) -> Score:
        candidate.look_at(["a"])
        return Score.from_raw(0.5, 0.0)


@pytest.fixture
def reuse_entries(temporary_entries, tmp_path, monkeypatch):
    monkeypatch.setenv("DYNAMIC_VISION_HOME", str(tmp_path))
    REGISTRIES["model"].register("counting-model", CountingModel, version=1)
    REGISTRIES["benchmark"].register("Reuse.recording", Recording, version=1)
    REGISTRIES["benchmark"].register("Reuse.forgetful", Forgetful, version=1)
    temporary_entries += [("model", "counting-model"), ("benchmark", "Reuse.recording"),
                          ("benchmark", "Reuse.forgetful")]
    CountingModel.built = 0
    return temporary_entries


def test_one_build_for_consecutive_scores_and_state_reset(reuse_entries):
    with reusing_models():
        assert score("counting-model", "Reuse.recording").raw == pytest.approx(0.2)
        assert CountingModel.built == 1
        # the reused model forgot the recording the previous benchmark started
        with pytest.raises(RuntimeError, match="before start_recording"):
            score("counting-model", "Reuse.forgetful")
        # a failed benchmark drops the model: the next score builds a new one
        score("counting-model", "Reuse.recording", cache=False)
        assert CountingModel.built == 2
        score("counting-model", "Reuse.recording", cache=False)
        assert CountingModel.built == 2
        # other options: another model
        assert score("counting-model", "Reuse.recording", cache=False,
                     model_options={"gain": 3.0}).raw == pytest.approx(0.6)
        assert CountingModel.built == 3
    # outside the block every score builds its model
    score("counting-model", "Reuse.recording", cache=False)
    score("counting-model", "Reuse.recording", cache=False)
    assert CountingModel.built == 5


def test_reregistered_identifier_is_not_served_the_old_model(reuse_entries):
    class Louder(CountingModel):
        def __init__(self):
            super().__init__(gain=5.0)

    with reusing_models():
        assert score("counting-model", "Reuse.recording", cache=False).raw == pytest.approx(0.2)
        REGISTRIES["model"].unregister("counting-model")
        REGISTRIES["model"].register("counting-model", Louder, version=1)
        assert score("counting-model", "Reuse.recording", cache=False).raw == pytest.approx(1.0)


def test_cli_score_builds_each_model_once(reuse_entries, capsys, monkeypatch):
    class Second(Recording):
        identifier = "Reuse.second"

    REGISTRIES["benchmark"].register("Reuse.second", Second, version=1)
    reuse_entries.append(("benchmark", "Reuse.second"))
    assert main(["score", "--model", "counting-model", "--benchmark",
                 "Reuse.recording,Reuse.second", "--json"]) == 0
    assert CountingModel.built == 1
    monkeypatch.setenv("DYNAMIC_VISION_NO_CACHE", "1")  # no caching of any kind: built per score
    assert main(["score", "--model", "counting-model", "--benchmark",
                 "Reuse.recording,Reuse.second", "--json"]) == 0
    assert CountingModel.built == 3
