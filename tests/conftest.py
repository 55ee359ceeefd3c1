"""Fixtures shared by the core tests."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from dynamic_vision.core.benchmark import Benchmark
from dynamic_vision.core.registry import REGISTRIES
from dynamic_vision.core.scores import Score


class ConstantModel:
    """A BrainModel whose activations are a fixed function of the stimulus id."""

    def __init__(self, identifier: str = "constant-model", n_neuroids: int = 4):
        self.identifier = identifier
        self.n_neuroids = n_neuroids
        self.looked_at = 0

    def visual_degrees(self) -> float:
        return 8.0

    def start_recording(self, region, time_bins, layers=None):
        self.region, self.time_bins = region, list(time_bins)

    def start_task(self, task, fitting_stimuli=None):
        raise NotImplementedError

    def look_at(self, stimuli, number_of_trials=1):
        self.looked_at += 1
        ids = list(stimuli)
        values = np.array([[hash(i) % 97 + k for k in range(self.n_neuroids)] for i in ids], float)
        return xr.DataArray(values[:, :, None], dims=("presentation", "neuroid", "time_bin"),
                            coords={"stimulus_id": ("presentation", ids)})


class MeanActivationBenchmark(Benchmark):
    """A benchmark whose raw score is the correlation of the first neuroid with a target."""

    identifier = "Toy.V1-mean"
    version = 3
    split_seed = 7
    ceiling_convention = "disattenuated"

    def __init__(self):
        self.stimuli = [f"s{i}" for i in range(8)]

    def compute_ceiling(self) -> Score:
        return Score.from_raw(0.8, 0.01)

    def __call__(self, candidate) -> Score:
        candidate.start_recording("V1", [(0, 100)])
        activations = candidate.look_at(self.stimuli)
        values = activations.values[:, 0, 0]
        raw = float(np.corrcoef(values, np.arange(len(values)))[0, 1])
        detail = xr.Dataset({"raw": ("split", [raw - 0.01, raw + 0.01])})
        return Score.from_raw(raw, 0.02, detail).ceiled(self.ceiling, self.ceiling_convention)


@pytest.fixture
def temporary_entries():
    """Register entries for one test and remove them afterwards: yields (kind, id) list."""
    added: list[tuple[str, str]] = []
    yield added
    for kind, identifier in added:
        REGISTRIES[kind].unregister(identifier)


@pytest.fixture
def toy_entries(temporary_entries):
    REGISTRIES["benchmark"].register("Toy.V1-mean", MeanActivationBenchmark, version=3)
    REGISTRIES["model"].register("constant-model", ConstantModel, version=1)
    temporary_entries += [("benchmark", "Toy.V1-mean"), ("model", "constant-model")]
    return temporary_entries
