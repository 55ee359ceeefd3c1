"""SimMotion benchmarks: recovery of the model that generated the data.

The recordings were simulated from the motion-energy filter bank, so ``motion-energy`` must rank
first on every SimMotion benchmark; ``pixels`` and a random-weight network must score below it.
Under the default ``disattenuated`` convention it must not exceed the truth: on V1, whose units
are its own units, it scores in [0.8, 1.0]. (Conformance checks of these benchmarks run in
tests/test_conformance.py over the whole registry; the noise-free generator itself scores
1 ± 0.05 in tests/test_recovery.py.)
"""

from __future__ import annotations

import numpy as np
import pytest

from dynamic_vision import load_benchmark, score
from dynamic_vision.testing.benchmark_checks import TableModel

pytestmark = pytest.mark.slow


def random_cnn(seed: int = 0):
    """A layer function: a randomly initialised two-layer CNN applied to every frame."""
    import torch

    from dynamic_vision.io.video import read_frames

    generator = torch.Generator().manual_seed(seed)
    network = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 5, stride=2), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, stride=2), torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(4), torch.nn.Flatten()).eval()
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.2)

    seen: dict[str, np.ndarray] = {}  # both benchmarks show the same clips

    def features(row):
        if row["stimulus_id"] not in seen:
            frames = read_frames(row["path"], fps=10, size=48)
            pixels = torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 255.0
            with torch.inference_mode():
                seen[row["stimulus_id"]] = network(pixels).numpy()
        return seen[row["stimulus_id"]]

    return features


@pytest.fixture(scope="module")
def recovery_scores():
    models = {"motion-energy": "motion-energy", "pixels": "pixels",
              "random-cnn": TableModel("random-cnn", {"conv": random_cnn()})}
    return {(name, benchmark): score(model, benchmark)
            for benchmark in BENCHMARKS for name, model in models.items()}


BENCHMARKS = ["SimMotion.V1-ridge", "SimMotion.MT-ridge", "SimMotion.MT-rdm"]


def values(scores, benchmark):
    return {m: s.value for (m, b), s in scores.items() if b == benchmark}


@pytest.mark.parametrize("benchmark", BENCHMARKS)
def test_motion_energy_ranks_first(recovery_scores, benchmark):
    ranked = values(recovery_scores, benchmark)
    assert max(ranked, key=ranked.get) == "motion-energy", ranked
    assert ranked["pixels"] < ranked["motion-energy"] - 0.1, ranked
    assert ranked["random-cnn"] < ranked["motion-energy"] - 0.1, ranked


def test_motion_energy_reaches_but_does_not_exceed_the_v1_truth(recovery_scores):
    result = recovery_scores[("motion-energy", "SimMotion.V1-ridge")]
    assert 0.8 <= result.value <= 1.0, result
    assert result.flags == ()


def test_scores_carry_time_bins_and_ceilings(recovery_scores):
    result = recovery_scores[("motion-energy", "SimMotion.V1-ridge")]
    per_bin = result.detail["ceiled"]
    assert per_bin.sizes["time_bin"] == 20
    np.testing.assert_allclose(per_bin["time_bin_start"].values, np.arange(0, 1000, 50))
    assert not per_bin["reliable"].values[0]  # before the simulated response latency
    assert 0.5 < result.ceiling < 1.0
    assert result.convention == "disattenuated"
    assert result.value == pytest.approx(result.raw / np.sqrt(result.ceiling))
    low, high = result.detail["ceiled_ci"].values
    assert low < result.value < high


def test_loading_reads_no_data(monkeypatch):
    from dynamic_vision.data.simmotion import build

    def refuse(*args, **kwargs):
        raise AssertionError("loading a benchmark must not build or read its data")

    for name in ("build", "build_clips", "build_recordings"):
        monkeypatch.setattr(build, name, refuse)
    benchmark = load_benchmark("SimMotion.MT-ridge")
    assert benchmark.region == "MT" and benchmark.version == 3
