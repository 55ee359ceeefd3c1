"""SimMotion benchmarks: conformance, and recovery of the model that generated the data.

The recordings were simulated from the motion-energy filter bank, so ``motion-energy`` must rank
first on V1 and MT, with a ceiled V1 score of at least 0.8; ``pixels`` and a random-weight
network must score below it.
"""

from __future__ import annotations

import numpy as np
import pytest

from dynamic_vision import load_benchmark, score
from dynamic_vision.testing import check_benchmark

IDENTIFIERS = ["SimMotion.V1-ridge", "SimMotion.MT-ridge", "SimMotion.MT-rdm"]


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_conformance(identifier):
    check_benchmark(identifier)


@pytest.fixture(scope="module")
def recovery_scores():
    models = ["motion-energy", "pixels", "resnet18-random"]
    return {(model, benchmark): score(model, benchmark)
            for benchmark in ["SimMotion.V1-ridge", "SimMotion.MT-ridge"] for model in models}


@pytest.mark.slow
def test_motion_energy_is_recovered_on_v1(recovery_scores):
    v1 = {m: s.value for (m, b), s in recovery_scores.items() if b == "SimMotion.V1-ridge"}
    assert v1["motion-energy"] >= 0.8, v1
    assert max(v1, key=v1.get) == "motion-energy", v1
    assert v1["pixels"] < v1["motion-energy"] - 0.1, v1
    assert v1["resnet18-random"] < v1["motion-energy"] - 0.1, v1


@pytest.mark.slow
def test_motion_energy_ranks_first_on_mt(recovery_scores):
    mt = {m: s.value for (m, b), s in recovery_scores.items() if b == "SimMotion.MT-ridge"}
    assert max(mt, key=mt.get) == "motion-energy", mt
    assert mt["pixels"] < mt["motion-energy"], mt


@pytest.mark.slow
def test_scores_carry_time_bins_and_ceilings(recovery_scores):
    result = recovery_scores[("motion-energy", "SimMotion.V1-ridge")]
    per_bin = result.detail["ceiled"]
    assert per_bin.sizes["time_bin"] == 20
    np.testing.assert_allclose(per_bin["time_bin_start"].values, np.arange(0, 1000, 50))
    assert 0.5 < result.ceiling < 1.0
    assert result.value == pytest.approx(result.raw / result.ceiling)


def test_loading_reads_no_data(monkeypatch):
    from dynamic_vision.data.simmotion import build

    def refuse(*args, **kwargs):
        raise AssertionError("loading a benchmark must not build or read its data")

    monkeypatch.setattr(build, "build", refuse)
    benchmark = load_benchmark("SimMotion.MT-ridge")
    assert benchmark.region == "MT" and benchmark.version == 1
